package org.mlgateway.emotion;

/**
 * The one definition of a model's version: the first 12 hex digits of the SHA-256 of the model file.
 * It needs no side file and changes whenever the model does. The trainer writes it into the card as
 * {@code modelVersion}; the serving side computes it from the bytes it loads and checks the card.
 */
public final class ModelVersion {

    /** Hex digits kept: enough to tell models apart, short enough for a header and a metric label. */
    public static final int LENGTH = 12;

    private ModelVersion() {}

    /** The version of a model file, from its exact bytes. */
    public static String of(byte[] modelFileBytes) {
        return EmotionCsv.sha256(modelFileBytes).substring(0, LENGTH);
    }

    /** Throws unless the card names the model it sits beside: a mismatch is a broken build, not a state to serve. */
    public static void requireCardMatches(String modelVersion, String cardVersion, String where) {
        if (!modelVersion.equals(cardVersion)) {
            throw new Mismatch("the model card says modelVersion " + cardVersion + " but the model file is version "
                    + modelVersion + " (" + where + "): the model and its card come from different trainings");
        }
    }

    /** The card and the model file disagree. */
    public static final class Mismatch extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message);
        }
    }
}
