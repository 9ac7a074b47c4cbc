package org.mlgateway.api;

import java.util.List;

/**
 * A valid Open Inference Protocol request, as {@link InferenceRequestReader} read it: the client's id (null
 * if none), the sentences of the one input tensor and the outputs asked for (empty: all of them).
 */
record InferenceRequest(String id, List<String> sentences, List<String> outputs) {}
