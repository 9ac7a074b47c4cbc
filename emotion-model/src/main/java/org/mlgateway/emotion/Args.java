package org.mlgateway.emotion;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Minimal {@code --name value} / {@code --flag} parsing for the two CLIs (no dependency needed). */
final class Args {

    private final Map<String, String> values = new HashMap<>();

    Args(String[] args, Set<String> options, Set<String> flags, String usage) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (flags.contains(a)) {
                values.put(a, "true");
            } else if (options.contains(a)) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--") || args[i + 1].isBlank()) {
                    throw new IllegalArgumentException(a + " needs a value\n" + usage);
                }
                values.put(a, args[++i]);
            } else if (!a.isBlank()) {
                throw new IllegalArgumentException("unknown argument '" + a + "'\n" + usage);
            }
        }
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }
}
