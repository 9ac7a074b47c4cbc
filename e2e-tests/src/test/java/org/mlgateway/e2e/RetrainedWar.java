package org.mlgateway.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A WAR like the deployed one but with another model in it, as after `make train`: the project's
 * trainer writes a model and card with other settings (a quick one-epoch run), and a copy of the
 * WAR gets them in place of WEB-INF/classes/model/.
 */
final class RetrainedWar {

    private static final String MODEL_DIR = "WEB-INF/classes/model/";
    private static final List<String> MODEL_FILES = List.of("emotion-model.tribuo.gz", "model-card.json");

    private RetrainedWar() {
    }

    /** Trains with the given seed into workDir/model-SEED and returns the WAR built from original. */
    static Path build(Path original, Path workDir, long seed) throws IOException, InterruptedException {
        Path modelDir = workDir.resolve("model-" + seed);
        Path dataset = StackEnv.projectRoot().resolve("../shared/data/emotion/train.csv").normalize();
        String args = "--dataset " + dataset + " --out " + modelDir + " --seed " + seed + " --epochs 1";
        Path log = workDir.resolve("train-" + seed + ".log");
        int exit = StackServers.runScript(log, Map.of(), Duration.ofMinutes(10),
                "mvn", "-B", "-q", "-pl", "emotion-model", "compile", "exec:java@train", "-Dtrain.args=" + args);
        if (exit != 0) {
            throw new IllegalStateException("training failed (exit " + exit + "); see " + log);
        }
        Path war = workDir.resolve("ml-api-v1-seed" + seed + ".war");
        replaceModel(original, modelDir, war);
        return war;
    }

    private static void replaceModel(Path original, Path modelDir, Path target) throws IOException {
        try (ZipFile in = new ZipFile(original.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            for (ZipEntry entry : in.stream().toList()) {
                String file = entry.getName().startsWith(MODEL_DIR) ? entry.getName().substring(MODEL_DIR.length()) : null;
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream data = file != null && MODEL_FILES.contains(file) ? Files.newInputStream(modelDir.resolve(file)) : in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }

    /** The version the servers report for a model file: the first 12 hex digits of its SHA-256. */
    static String modelVersion(Path war) throws IOException {
        try (ZipFile zip = new ZipFile(war.toFile());
             InputStream model = zip.getInputStream(zip.getEntry(MODEL_DIR + "emotion-model.tribuo.gz"))) {
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
        try (ZipFile zip = new ZipFile(war.toFile());
             InputStream card = zip.getInputStream(zip.getEntry(MODEL_DIR + "model-card.json"))) {
            return GatewayCalls.JSON.readTree(card).path("modelVersion").asText();
        }
    }
}
