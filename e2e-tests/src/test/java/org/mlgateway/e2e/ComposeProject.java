package org.mlgateway.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * docker-compose.yml and the Dockerfiles it builds, read the way Compose and Docker read them, so
 * the static tests can check the container deployment on a host without a Docker engine.
 * Variables are interpolated with their defaults only, so the checks do not depend on who runs them.
 */
final class ComposeProject {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");

    final Path root = StackEnv.projectRoot();
    final Map<String, Object> file;

    ComposeProject() {
        file = loadYaml(root.resolve("docker-compose.yml"));
    }

    static Map<String, Object> loadYaml(Path path) {
        try {
            Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(path));
            if (!(parsed instanceof Map<?, ?>)) {
                throw new IllegalStateException(path + " is not a YAML mapping");
            }
            return cast(parsed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Map<String, Map<String, Object>> services() {
        Map<String, Map<String, Object>> services = new LinkedHashMap<>();
        map(file, "services").forEach((name, body) -> services.put(name, cast(body)));
        return services;
    }

    Map<String, Object> service(String name) {
        Map<String, Object> service = services().get(name);
        if (service == null) {
            throw new AssertionError("docker-compose.yml has no service " + name);
        }
        return service;
    }

    /** Compose's ${VAR:-default} / ${VAR-default} / ${VAR}, resolved to the default (or empty). */
    static String interpolate(Object value) {
        Matcher m = VARIABLE.matcher(String.valueOf(value));
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Container ports a service listens on for others: `expose` plus the container side of `ports`. */
    Map<String, List<Integer>> containerPorts() {
        Map<String, List<Integer>> ports = new LinkedHashMap<>();
        services().forEach((name, service) -> {
            List<Integer> list = new ArrayList<>();
            list(service, "expose").forEach(p -> list.add(Integer.parseInt(interpolate(p))));
            publishedPorts(service).forEach(p -> list.add(p.container()));
            ports.put(name, list);
        });
        return ports;
    }

    record Published(String hostIp, int host, int container) {}

    /** The short syntax "[ip:]host:container[/proto]" of `ports`. */
    static List<Published> publishedPorts(Map<String, Object> service) {
        List<Published> published = new ArrayList<>();
        for (Object entry : list(service, "ports")) {
            if (!(entry instanceof String)) {
                throw new AssertionError(
                        "ports entry " + entry + " must be a quoted string (YAML reads 80:80 as a number)");
            }
            String[] parts = interpolate(entry).replaceAll("/(tcp|udp)$", "").split(":");
            String ip = parts.length == 3 ? parts[0] : "";
            int host = Integer.parseInt(parts[parts.length - 2]);
            int container = Integer.parseInt(parts[parts.length - 1]);
            published.add(new Published(ip, host, container));
        }
        return published;
    }

    record Mount(String source, String target, boolean bind) {}

    /** Volumes of a service (short syntax): binds have a relative or absolute host path as source. */
    static List<Mount> mounts(Map<String, Object> service) {
        List<Mount> mounts = new ArrayList<>();
        for (Object entry : list(service, "volumes")) {
            if (entry instanceof Map<?, ?> longSyntax) {
                mounts.add(new Mount(
                        String.valueOf(longSyntax.get("source")),
                        String.valueOf(longSyntax.get("target")),
                        "bind".equals(longSyntax.get("type"))));
                continue;
            }
            String[] parts = interpolate(entry).split(":");
            boolean bind = parts[0].startsWith(".") || parts[0].startsWith("/") || parts[0].startsWith("~");
            mounts.add(new Mount(parts[0], parts[1], bind));
        }
        return mounts;
    }

    /** The repository path behind a path inside a service's container, through its bind mounts. */
    Optional<Path> hostPathOf(Map<String, Object> service, String containerPath) {
        Mount best = null;
        for (Mount mount : mounts(service)) {
            String target = mount.target().replaceAll("/$", "");
            boolean under = containerPath.equals(target) || containerPath.startsWith(target + "/");
            if (mount.bind()
                    && under
                    && (best == null || target.length() > best.target().length())) {
                best = mount;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        String rest = containerPath
                .substring(best.target().replaceAll("/$", "").length())
                .replaceAll("^/", "");
        return Optional.of(root.resolve(best.source()).resolve(rest).normalize());
    }

    record Build(Path context, Path dockerfile, Map<String, String> args) {}

    Optional<Build> build(Map<String, Object> service) {
        Object build = service.get("build");
        if (build == null) {
            return Optional.empty();
        }
        if (build instanceof String contextOnly) {
            Path context = root.resolve(contextOnly).normalize();
            return Optional.of(new Build(context, context.resolve("Dockerfile"), Map.of()));
        }
        Map<String, Object> spec = cast(build);
        Path context =
                root.resolve(String.valueOf(spec.getOrDefault("context", "."))).normalize();
        Path dockerfile = context.resolve(String.valueOf(spec.getOrDefault("dockerfile", "Dockerfile")))
                .normalize();
        Map<String, String> args = new LinkedHashMap<>();
        map(spec, "args").forEach((k, v) -> args.put(k, interpolate(v)));
        return Optional.of(new Build(context, dockerfile, args));
    }

    /** One Dockerfile instruction, continuation lines joined, comments dropped. */
    record Instruction(String keyword, String arguments) {}

    static List<Instruction> instructions(Path dockerfile) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        try {
            for (String line : Files.readAllLines(dockerfile)) {
                String trimmed = line.strip();
                if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                    continue;
                }
                if (trimmed.endsWith("\\")) {
                    current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                    continue;
                }
                current.append(trimmed);
                String text = current.toString().strip();
                current.setLength(0);
                if (!text.isEmpty()) {
                    String[] split = text.split("\\s+", 2);
                    instructions.add(new Instruction(split[0].toUpperCase(), split.length > 1 ? split[1] : ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return instructions;
    }

    /** Replaces ${ARG} / $ARG with the build argument, else the ARG's default in the Dockerfile. */
    static String substituteArgs(String text, List<Instruction> instructions, Map<String, String> buildArgs) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Instruction instruction : instructions) {
            if (instruction.keyword().equals("ARG")) {
                String[] nameValue = instruction.arguments().split("=", 2);
                values.put(nameValue[0].strip(), nameValue.length > 1 ? nameValue[1].strip() : "");
            }
        }
        values.putAll(buildArgs);
        String result = text;
        for (Map.Entry<String, String> e : values.entrySet()) {
            result = result.replace("${" + e.getKey() + "}", e.getValue())
                    .replaceAll("\\$" + e.getKey() + "\\b", Matcher.quoteReplacement(e.getValue()));
        }
        return result;
    }

    /** An image reference is pinned when its tag is a version (has a digit, is not latest) or it names a digest. */
    static boolean isPinned(String image) {
        if (image.contains("@sha256:")) {
            return true;
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (colon <= slash) {
            return false;
        }
        String tag = image.substring(colon + 1);
        return !tag.equalsIgnoreCase("latest") && tag.matches(".*\\d.*") && !tag.contains("$");
    }

    static List<Object> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?>)) {
            throw new AssertionError(key + " must be a list, was " + value);
        }
        return cast(value);
    }

    /** The networks a service is on, whether written as a list or as a mapping (with aliases). */
    static java.util.Set<String> networks(Map<String, Object> service) {
        Object value = service.get("networks");
        if (value == null) {
            return java.util.Set.of("default");
        }
        java.util.Set<String> names = new java.util.TreeSet<>();
        if (value instanceof Map<?, ?> byName) {
            byName.keySet().forEach(name -> names.add(String.valueOf(name)));
        } else {
            list(service, "networks").forEach(name -> names.add(String.valueOf(name)));
        }
        return names;
    }

    static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new AssertionError(key + " must be a mapping, was " + value);
        }
        return cast(value);
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object value) {
        return (T) value;
    }
}
