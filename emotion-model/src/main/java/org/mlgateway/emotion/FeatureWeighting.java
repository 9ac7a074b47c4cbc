package org.mlgateway.emotion;

import java.util.Arrays;
import java.util.Map;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.classification.Label;
import org.tribuo.impl.ArrayExample;

/**
 * The featurizer's last step: feature counts → a Tribuo example. Counts are dampened with sublinear TF
 * (1 + ln tf) and the vector is L2-normalised, so long and short tweets live on the same scale. With
 * blocks, the character n-grams and the other features are normalised separately, each to half the unit
 * norm, so ~15 words are not drowned by ~250 n-grams (like a scikit-learn FeatureUnion of two normalised
 * vectorizers).
 */
final class FeatureWeighting {

    private FeatureWeighting() {}

    /**
     * Weighted features, sorted by name: their names, values and, with a vocabulary, their ids in it.
     *
     * @param ids null without a vocabulary
     */
    record Weighted(String[] names, int[] ids, double[] values) {
        int size() {
            return names.length;
        }

        Example<Label> example(Label label) {
            return new ArrayExample<>(label, names, values);
        }
    }

    /**
     * The weighted features of these counts; with a vocabulary, only the features in it are kept (the ones a
     * model ignores anyway), but the norm is still taken over all of them, as in training.
     */
    static Weighted weigh(Map<String, int[]> counts, boolean blocks, ImmutableFeatureMap vocabulary) {
        String[] names = new String[counts.size()];
        double[] values = new double[counts.size()];
        long[] order = new long[counts.size()]; // (id << 32) | position: sorts known features by id
        double[] sumSq = new double[2];
        int n = 0;
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            double v = 1.0 + Math.log(e.getValue()[0]);
            sumSq[block(e.getKey())] += v * v;
            int id = vocabulary == null ? 0 : vocabulary.getID(e.getKey());
            if (id >= 0) {
                names[n] = e.getKey();
                values[n] = v;
                order[n] = ((long) id << 32) | n;
                n++;
            }
        }
        double[] inv = inverseNorms(sumSq, blocks);
        String[] sortedNames = new String[n];
        double[] sortedValues = new double[n];
        if (vocabulary == null) {
            System.arraycopy(names, 0, sortedNames, 0, n);
            Arrays.sort(sortedNames);
            for (int i = 0; i < n; i++) {
                sortedValues[i] = (1.0 + Math.log(counts.get(sortedNames[i])[0])) * inv[block(sortedNames[i])];
            }
            return new Weighted(sortedNames, null, sortedValues);
        }
        // Tribuo numbers a model's features in name order: sorting ids sorts names, and costs less.
        Arrays.sort(order, 0, n);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            int at = (int) order[i];
            ids[i] = (int) (order[i] >>> 32);
            sortedNames[i] = names[at];
            sortedValues[i] = values[at] * inv[block(names[at])];
        }
        return new Weighted(sortedNames, ids, sortedValues);
    }

    /** 0 for words and the other token features, 1 for character n-grams. */
    static int block(String name) {
        return name.startsWith(CharNgramProcessor.CHARS) ? 1 : 0;
    }

    /** The factor per block given its sum of squares (an empty text stays an empty vector). */
    static double[] inverseNorms(double[] sumSq, boolean blocks) {
        double[] inv = new double[2];
        if (blocks) {
            int present = (sumSq[0] > 0 ? 1 : 0) + (sumSq[1] > 0 ? 1 : 0);
            for (int k = 0; k < 2; k++) {
                inv[k] = sumSq[k] > 0 ? 1.0 / Math.sqrt(sumSq[k] * present) : 0;
            }
        } else {
            double total = sumSq[0] + sumSq[1];
            inv[0] = inv[1] = total > 0 ? 1.0 / Math.sqrt(total) : 0;
        }
        return inv;
    }
}
