package org.mlgateway.e2e;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A WAR like the deployed one but with another model in it, as after `make train`: the project's
 * trainer writes a model and card with other settings (a quick one-epoch run), and a copy of the
 * WAR gets them in place of model/* inside its one WEB-INF/lib/emotion-model-*.jar, where the
 * application loads them from (the classpath resources model/emotion-model.tribuo.gz and
 * model/model-card.json).
 */
final class RetrainedWar {

    private static final Pattern MODEL_JAR = Pattern.compile("WEB-INF/lib/emotion-model-[^/]*\\.jar");
    private static final String MODEL_DIR = "model/";
    private static final String MODEL_FILE = "emotion-model.tribuo.gz";
    private static final String CARD_FILE = "model-card.json";

    private RetrainedWar() {}

    static final Path TRAINING_DATA =
            StackEnv.projectRoot().resolve("../shared/data/emotion/train.csv").normalize();

    /** Trains with the given seed into workDir/model-SEED and returns the WAR built from original. */
    static Path build(Path original, Path workDir, long seed) throws IOException, InterruptedException {
        return build(original, workDir, "seed" + seed, TRAINING_DATA, seed);
    }

    /**
     * A model that answers "neutral" to everything: trained on the first rows of the training data,
     * each relabelled neutral. Returns the WAR built from original.
     */
    static Path buildAllNeutral(Path original, Path workDir, int rows) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        List<String> lines = Files.readAllLines(TRAINING_DATA);
        StringBuilder csv = new StringBuilder(lines.get(0)).append('\n');
        for (String line : lines.subList(1, Math.min(lines.size(), rows + 1))) {
            // label,text: the label never holds a comma, the text may (quoted), so the first comma ends it.
            csv.append("neutral").append(line, line.indexOf(','), line.length()).append('\n');
        }
        Path dataset = workDir.resolve("all-neutral.csv");
        Files.writeString(dataset, csv);
        return build(original, workDir, "all-neutral", dataset, 1);
    }

    private static Path build(Path original, Path workDir, String name, Path dataset, long seed)
            throws IOException, InterruptedException {
        Path modelDir = workDir.resolve("model-" + name);
        String args = "--dataset " + dataset + " --out " + modelDir + " --seed " + seed + " --epochs 1";
        Path log = workDir.resolve("train-" + name + ".log");
        int exit = StackServers.runScript(
                log,
                Map.of(),
                Duration.ofMinutes(10),
                "mvn",
                "-B",
                "-q",
                "-pl",
                "emotion-model",
                "compile",
                "exec:java@train",
                "-Dtrain.args=" + args);
        if (exit != 0) {
            throw new IllegalStateException("training failed (exit " + exit + "); see " + log);
        }
        Path war = workDir.resolve("ml-api-v1-" + name + ".war");
        replaceModel(original, modelDir, war);
        return war;
    }

    /** Copies the WAR entry by entry; the model jar is rewritten with the new model and card. */
    private static void replaceModel(Path original, Path modelDir, Path target) throws IOException {
        String jar = modelJar(original);
        try (ZipFile in = new ZipFile(original.toFile());
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            for (ZipEntry entry : in.stream().toList()) {
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream data = in.getInputStream(entry)) {
                    if (entry.getName().equals(jar)) {
                        rewriteJar(data, modelDir, out);
                    } else {
                        data.transferTo(out);
                    }
                }
                out.closeEntry();
            }
        }
    }

    private static void rewriteJar(InputStream jar, Path modelDir, OutputStream target) throws IOException {
        ZipOutputStream out = new ZipOutputStream(target); // not closed: that would close the WAR being written
        Set<String> replaced = new HashSet<>();
        try (ZipInputStream in = new ZipInputStream(jar)) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                out.putNextEntry(new ZipEntry(entry.getName()));
                String file =
                        entry.getName().startsWith(MODEL_DIR) ? entry.getName().substring(MODEL_DIR.length()) : "";
                if (file.equals(MODEL_FILE) || file.equals(CARD_FILE)) {
                    Files.copy(modelDir.resolve(file), out);
                    replaced.add(file);
                } else {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        out.finish();
        if (!replaced.equals(Set.of(MODEL_FILE, CARD_FILE))) {
            throw new IllegalStateException(
                    "the model jar lacks " + MODEL_DIR + MODEL_FILE + " or " + MODEL_DIR + CARD_FILE);
        }
    }

    /** The version the servers report for a model file: the first 12 hex digits of its SHA-256. */
    static String modelVersion(Path war) throws IOException {
        try (InputStream model = modelJarEntry(war, MODEL_FILE)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = model.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The modelVersion field of the model card packaged in the WAR. */
    static String modelCardVersion(Path war) throws IOException {
        try (InputStream card = modelJarEntry(war, CARD_FILE)) {
            return GatewayCalls.JSON.readTree(card).path("modelVersion").asText();
        }
    }

    /** The name of the WAR's one emotion-model jar. */
    private static String modelJar(Path war) throws IOException {
        try (ZipFile zip = new ZipFile(war.toFile())) {
            List<String> jars = zip.stream()
                    .map(ZipEntry::getName)
                    .filter(n -> MODEL_JAR.matcher(n).matches())
                    .toList();
            if (jars.size() != 1) {
                throw new IllegalStateException(
                        war + " should hold exactly one WEB-INF/lib/emotion-model-*.jar: " + jars);
            }
            return jars.get(0);
        }
    }

    /** One file of model/ inside the model jar, read fully (the WAR is closed on return). */
    private static InputStream modelJarEntry(Path war, String file) throws IOException {
        String jar = modelJar(war);
        try (ZipFile zip = new ZipFile(war.toFile());
                ZipInputStream in = new ZipInputStream(zip.getInputStream(zip.getEntry(jar)))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                if (entry.getName().equals(MODEL_DIR + file)) {
                    return new ByteArrayInputStream(in.readAllBytes());
                }
            }
        }
        throw new IllegalStateException(war + "!/" + jar + " has no " + MODEL_DIR + file);
    }
}
