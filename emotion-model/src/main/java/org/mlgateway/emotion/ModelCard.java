package org.mlgateway.emotion;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the serving side reads from a model card ({@link EmotionClassifier#CARD_FILE}): the version the model
 * file must have, the features it was trained on, and how many rows of each label it was trained on, the
 * reference a server's predicted-label distribution is compared with to see drift.
 *
 * @param modelVersion      {@link ModelVersion} of the model file the card describes
 * @param features          the featurizer's {@link FeatureSet} ({@code featurizer.features}), null if the card names none
 * @param trainLabelCounts  label to training rows, sorted by label; empty when the card predates the field
 */
public record ModelCard(String modelVersion, FeatureSet features, Map<String, Integer> trainLabelCounts) {

    public ModelCard {
        trainLabelCounts = Map.copyOf(trainLabelCounts);
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
        for (Iterator<Map.Entry<String, JsonNode>> it = card.path("dataset").path("trainLabelCounts").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new IOException("the model card's trainLabelCounts has a bad count for " + e.getKey());
            }
            counts.put(e.getKey(), e.getValue().asInt());
        }
        return new ModelCard(version.asText(), set, counts);
    }

    // Cards written before featurizer.features name the same features in fields of their own (a
    // candidate server still reads the champion's older card).
    private static String featureSpec(JsonNode featurizer) {
        if (featurizer.path("features").isTextual()) {
            return featurizer.path("features").asText();
        }
        JsonNode chars = featurizer.path("charNgrams");
        if (!featurizer.path("wordBigrams").isBoolean() || !chars.path("min").isInt() || !chars.path("max").isInt()) {
            return null;
        }
        return "words" + (featurizer.path("wordBigrams").asBoolean() ? "+bigrams" : "") + "+chars=" + chars.path("min").asInt()
                + "-" + chars.path("max").asInt() + (featurizer.path("separateBlockNormalisation").asBoolean() ? "+blocks" : "");
    }
}
