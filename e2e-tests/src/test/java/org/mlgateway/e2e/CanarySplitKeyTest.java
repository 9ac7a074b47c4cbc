package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No gateway configuration keys a split on what a client sends alone: every split_clients key of
 * the nginx files (native, Compose, Kubernetes) and of the shares the native stack renders (make
 * traffic, make canary) holds a secret the stack generated, or no request header at all. Else a
 * client could work out offline which client IDs land on a canary's candidate (split_clients is
 * MurmurHash2 of the key) and pin itself to one side or aim at the other.
 */
class CanarySplitKeyTest {

    private static final Pattern SPLIT = Pattern.compile("split_clients\\s+\"([^\"]*)\"\\s+\\$(\\w+)");
    private static final Pattern MAP = Pattern.compile("(?m)^\\s*map\\s+\"?\\$(\\w+)\"?\\s+\\$(\\w+)\\s*\\{");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)\\}?");
    /** A generated secret as settings_secret writes it: 128 bits in hex. */
    private static final Pattern SECRET = Pattern.compile("[0-9a-f]{32}");

    @TempDir
    Path temp;

    /** delivery.conf as `make traffic` renders it, with the secret of this state folder. */
    private String renderedShares(Path state, int shadow, int canary) throws IOException, InterruptedException {
        Command.of(
                        "bash",
                        "-c",
                        "source scripts/lib/settings.sh && source scripts/lib/progress.sh"
                                + " && source scripts/lib/nginx.sh && mkdir -p \"$NGINX_STATE_DIR/upstreams\" && nginx_write_delivery "
                                + shadow + " " + canary)
                .env("STATE_DIR", state.toString())
                .succeeds();
        Path delivery = state.resolve("nginx/upstreams/delivery.conf");
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(delivery)),
                "it holds the secret");
        return Files.readString(delivery);
    }

    @Test
    void theRenderedCanarySplitMixesTheClientIdWithTheStacksSecret() throws Exception {
        Path state = temp.resolve("state");
        String shares = renderedShares(state, 10, 5);
        String secret =
                Files.readString(state.resolve("secrets/canary-split-key")).trim();
        assertTrue(SECRET.matcher(secret).matches(), "a generated 128-bit secret: " + secret);
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(state.resolve("secrets/canary-split-key"))));
        Matcher split = SPLIT.matcher(shares);
        Map<String, String> keys = new HashMap<>();
        while (split.find()) {
            keys.put(split.group(2), split.group(1));
        }
        assertEquals(
                secret + ":$canary_key",
                keys.get("canary_side"),
                "the canary's key: the secret and the client id (sticky per client)");
        assertEquals("$request_id", keys.get("shadow_on"), "the shadow share is per request, on Nginx's own random id");
        assertEquals(shares, renderedShares(state, 10, 5), "the same secret at every render: clients keep their side");
        assertNotEquals(
                secret,
                Files.readString(renderedSecret(temp.resolve("other"))).trim(),
                "another stack, another secret");
    }

    private Path renderedSecret(Path state) throws IOException, InterruptedException {
        renderedShares(state, 0, 5);
        return state.resolve("secrets/canary-split-key");
    }

    @Test
    void noSplitIsKeyedOnARequestHeaderAlone() throws Exception {
        List<String> texts = new ArrayList<>();
        for (String folder : List.of("nginx", "docker/nginx", "kubernetes/gateway")) {
            try (Stream<Path> files = Files.walk(StackEnv.projectRoot().resolve(folder))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    texts.add(Files.readString(file));
                }
            }
        }
        for (int canary : List.of(1, 5, 50, 100)) {
            texts.add(renderedShares(temp.resolve("state-" + canary), 100, canary));
        }
        String all = String.join("\n", texts);
        List<String> clientKeyed = new ArrayList<>();
        Matcher split = SPLIT.matcher(all);
        int splits = 0;
        while (split.find()) {
            splits++;
            if (keyedOnAHeaderAlone(split.group(1), all)) {
                clientKeyed.add(split.group());
            }
        }
        assertTrue(splits >= 8, "the rendered shares were read: " + splits + " split_clients");
        assertEquals(List.of(), clientKeyed, "splits keyed on what a client sends, without a secret");
        // The check itself: the key the canary used to have is caught.
        assertTrue(keyedOnAHeaderAlone("$canary_key", "map $http_x_client_id $canary_key {\n}"));
        assertTrue(keyedOnAHeaderAlone("$http_x_client_id", ""));
        assertFalse(keyedOnAHeaderAlone(
                "0123456789abcdef0123456789abcdef:$canary_key", "map $http_x_client_id $canary_key {\n}"));
    }

    /** A key without a generated secret in it, that depends on a request header ($http_..., directly or through a map). */
    static boolean keyedOnAHeaderAlone(String key, String configuration) {
        if (SECRET.matcher(key).find()) {
            return false;
        }
        Map<String, String> mapSources = new HashMap<>();
        Matcher map = MAP.matcher(configuration);
        while (map.find()) {
            mapSources.put(map.group(2), map.group(1));
        }
        Matcher variable = VARIABLE.matcher(key);
        while (variable.find()) {
            String name = variable.group(1);
            for (int depth = 0; depth < 10 && !name.startsWith("http_") && mapSources.containsKey(name); depth++) {
                name = mapSources.get(name);
            }
            if (name.startsWith("http_")) {
                return true;
            }
        }
        return false;
    }
}
