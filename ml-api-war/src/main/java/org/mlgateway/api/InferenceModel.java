package org.mlgateway.api;

import java.util.List;

/**
 * The one model of this API as the Open Inference Protocol names it: its name in the URL, its input
 * tensor (sentences, BYTES, shape [-1]) and its outputs (the label per sentence; with probabilities, a
 * FP32 tensor [-1, labels] in the order of {@code labels}).
 */
final class InferenceModel {

    static final String NAME = "emotion";
    /** The protocol's platform names read "project_format": a Tribuo model in its protobuf serialisation. */
    static final String PLATFORM = "tribuo_protobuf";

    static final String INPUT = "text";
    static final String LABEL = "label";
    static final String PROBABILITIES = "probabilities";
    static final String BYTES = "BYTES";
    static final String FP32 = "FP32";

    private InferenceModel() {}

    /** The outputs a variant produces, in the order it answers them. */
    static List<String> outputs(boolean withProbabilities) {
        return withProbabilities ? List.of(LABEL, PROBABILITIES) : List.of(LABEL);
    }
}
