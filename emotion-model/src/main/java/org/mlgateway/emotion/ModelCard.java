package org.mlgateway.emotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the serving side reads from a model card ({@link EmotionClassifier#CARD_FILE}): the version the model
 * file must have, the features it was trained on, how many rows of each label it was trained on (the
 * reference a server's predicted-label distribution is compared with to see drift), and the facts a
 * client of the served model may want to know about it.
 *
 * @param modelVersion      {@link ModelVersion} of the model file the card describes
 * @param features          the featurizer's {@link FeatureSet} ({@code featurizer.features}), null if the card names none
 * @param trainLabelCounts  label to training rows, sorted by label; empty when the card predates the field
 * @param summary           the card's facts as flat name/value pairs (strings and numbers), in this order:
 *                          trained_at, tribuo_version, dataset_sha256, dataset_rows, training_rows,
 *                          validation_rows, validation_accuracy, validation_macro_f1, validation_log_loss;
 *                          a fact the card lacks is left out
 */
public record ModelCard(
        String modelVersion, FeatureSet features, Map<String, Integer> trainLabelCounts, Map<String, Object> summary) {

    public ModelCard {
        trainLabelCounts = Map.copyOf(trainLabelCounts);
        summary = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(summary));
    }

    public static ModelCard read(InputStream cardJson) throws IOException {
        JsonNode card = new ObjectMapper().readTree(cardJson);
        JsonNode version = card.path("modelVersion");
        if (!version.isTextual()) {
            throw new IOException("the model card has no modelVersion");
        }
        FeatureSet set = null;
        String spec = featureSpec(card.path("featurizer"));
        if (spec != null) {
            try {
                set = FeatureSet.parse(spec);
            } catch (IllegalArgumentException e) {
                throw new IOException("the model card's featurizer.features: " + e.getMessage(), e);
            }
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        card.path("dataset").path("trainLabelCounts").fields();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new IOException("the model card's trainLabelCounts has a bad count for " + e.getKey());
            }
            counts.put(e.getKey(), e.getValue().asInt());
        }
        return new ModelCard(version.asText(), set, counts, summary(card));
    }

    // Where each fact is in the card (TrainEmotionModel writes it), under the name clients see.
    private static Map<String, Object> summary(JsonNode card) {
        Map<String, Object> facts = new LinkedHashMap<>();
        text(facts, "trained_at", card.path("trainedAt"));
        text(facts, "tribuo_version", card.path("tribuoVersion"));
        text(facts, "dataset_sha256", card.at("/dataset/sha256"));
        number(facts, "dataset_rows", card.at("/dataset/rows"));
        number(facts, "training_rows", card.at("/dataset/trainRows"));
        number(facts, "validation_rows", card.at("/dataset/validationRows"));
        number(facts, "validation_accuracy", card.at("/validation/metrics/accuracy"));
        number(facts, "validation_macro_f1", card.at("/validation/metrics/macroF1"));
        number(facts, "validation_log_loss", card.at("/validation/metrics/logLoss"));
        return facts;
    }

    private static void text(Map<String, Object> facts, String name, JsonNode value) {
        if (value.isTextual()) {
            facts.put(name, value.asText());
        }
    }

    private static void number(Map<String, Object> facts, String name, JsonNode value) {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            facts.put(name, value.asLong());
        } else if (value.isNumber()) {
            facts.put(name, value.asDouble());
        }
    }

    // Cards written before featurizer.features name the same features in fields of their own (a
    // candidate server still reads the champion's older card).
    private static String featureSpec(JsonNode featurizer) {
        if (featurizer.path("features").isTextual()) {
            return featurizer.path("features").asText();
        }
        JsonNode chars = featurizer.path("charNgrams");
        if (!featurizer.path("wordBigrams").isBoolean()
                || !chars.path("min").isInt()
                || !chars.path("max").isInt()) {
            return null;
        }
        return "words" + (featurizer.path("wordBigrams").asBoolean() ? "+bigrams" : "") + "+chars="
                + chars.path("min").asInt() + "-" + chars.path("max").asInt()
                + (featurizer.path("separateBlockNormalisation").asBoolean() ? "+blocks" : "");
    }
}
