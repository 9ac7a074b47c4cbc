package org.mlgateway.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.mlgateway.e2e.faults.InjectedPredictFailures;

/**
 * A test-only build: a copy of a WAR with {@link InjectedPredictFailures} added to WEB-INF/classes,
 * where JAX-RS finds it (the application lists no classes, so every @Provider of the WAR is used).
 */
final class FaultInjectedWar {

    private FaultInjectedWar() {}

    static Path build(Path original, Path target) throws IOException {
        String classFile = InjectedPredictFailures.class.getName().replace('.', '/') + ".class";
        Files.createDirectories(target.getParent());
        try (ZipFile in = new ZipFile(original.toFile());
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target));
                InputStream compiled =
                        InjectedPredictFailures.class.getClassLoader().getResourceAsStream(classFile)) {
            if (compiled == null) {
                throw new IllegalStateException("no compiled " + classFile + " on the test classpath");
            }
            for (ZipEntry entry : in.stream().toList()) {
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("WEB-INF/classes/" + classFile));
            compiled.transferTo(out);
            out.closeEntry();
        }
        return target;
    }

    /** Whether a WAR holds the failure injection (the shipped ones must not). */
    static boolean contains(Path war) throws IOException {
        try (ZipFile zip = new ZipFile(war.toFile())) {
            return zip.stream().anyMatch(e -> e.getName().contains("InjectedPredictFailures"));
        }
    }
}
