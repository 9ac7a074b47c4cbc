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
 * file must have, and how many rows of each label the model was trained on, the reference a server's
 * predicted-label distribution is compared with to see drift.
 *
 * @param modelVersion      {@link ModelVersion} of the model file the card describes
 * @param trainLabelCounts  label to training rows, sorted by label; empty when the card predates the field
 */
public record ModelCard(String modelVersion, Map<String, Integer> trainLabelCounts) {

    public ModelCard {
        trainLabelCounts = Map.copyOf(trainLabelCounts);
    }

    public static ModelCard read(InputStream cardJson) throws IOException {
        JsonNode card = new ObjectMapper().readTree(cardJson);
        JsonNode version = card.path("modelVersion");
        if (!version.isTextual()) {
            throw new IOException("the model card has no modelVersion");
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = card.path("dataset").path("trainLabelCounts").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new IOException("the model card's trainLabelCounts has a bad count for " + e.getKey());
            }
            counts.put(e.getKey(), e.getValue().asInt());
        }
        return new ModelCard(version.asText(), counts);
    }
}
