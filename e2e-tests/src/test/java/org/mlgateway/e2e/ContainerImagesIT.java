package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The images the containers run were built the one way the project builds them: every one on the
 * base image (debian:bookworm-slim, pulled or made from Debian's archive), the API's with the native
 * stack's Liberty release packed with only the features liberty/server.xml names.
 */
class ContainerImagesIT {

    private static final List<String> BUILT = List.of("api-v1", "api-v2", "nginx", "nginx-exporter", "prometheus");

    @Test
    void everyImageIsBuiltOnTheBaseImage() {
        JsonNode base = inspectImage("debian:bookworm-slim");
        String baseLayer = base.path("RootFS").path("Layers").get(0).asText();
        StringBuilder sizes = new StringBuilder();
        for (String service : BUILT) {
            String container = Containers.of(service).get(0);
            String imageId = Containers.inspect(container).path("Image").asText();
            JsonNode image = inspectImage(imageId);
            assertEquals(
                    baseLayer,
                    image.path("RootFS").path("Layers").get(0).asText(),
                    service + "'s image starts with the base image's layer");
            sizes.append(
                    String.format(" %s %.0f MB;", service, image.path("Size").asDouble() / 1e6));
        }
        System.out.println("Image sizes (uncompressed, layers shared between them counted in each):" + sizes);
    }

    @Test
    void theApiRunsTheNativeStacksLibertyReleaseWithOnlyTheFeaturesItNames() throws IOException {
        Matcher version = Pattern.compile("<version.openliberty>([^<]+)</version.openliberty>")
                .matcher(Files.readString(StackEnv.projectRoot().resolve("pom.xml")));
        assertTrue(version.find(), "the root pom names the Liberty release");
        String api = Containers.of("api-v1").get(0);
        String properties = Containers.exec(api, "cat", "/opt/ol/wlp/lib/versions/openliberty.properties");
        assertTrue(
                properties.contains("com.ibm.websphere.productVersion=" + version.group(1)),
                "the image runs Open Liberty " + version.group(1) + ":\n" + properties);

        Set<String> named = new TreeSet<>();
        Matcher feature = Pattern.compile("<feature>([^<]+)</feature>")
                .matcher(Files.readString(StackEnv.projectRoot().resolve("liberty/server.xml")));
        while (feature.find()) {
            named.add(feature.group(1));
        }
        // A public feature's manifest is named after it (lib/features/io.openliberty.<name>.mf and the like).
        String manifests = Containers.exec(api, "sh", "-c", "grep -h '^IBM-ShortName:' /opt/ol/wlp/lib/features/*.mf");
        Set<String> installed = new TreeSet<>();
        manifests
                .lines()
                .forEach(l -> installed.add(l.substring(l.indexOf(':') + 1).strip()));
        assertTrue(
                installed.containsAll(named),
                "every feature server.xml names is in the image: " + named + " of " + installed);
        assertFalse(
                installed.contains("adminCenter-1.0"),
                "the admin console (native only) is not: the runtime is minified");
        System.out.println("Liberty features in the API image: " + installed.size() + " public (" + named.size()
                + " named by server.xml)");
    }

    private static JsonNode inspectImage(String image) {
        try {
            return GatewayCalls.JSON
                    .readTree(Containers.docker("image", "inspect", image))
                    .get(0);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
