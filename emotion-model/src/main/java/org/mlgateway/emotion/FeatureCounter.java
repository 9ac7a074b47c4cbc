package org.mlgateway.emotion;

import java.util.Arrays;

/**
 * The serving path's feature values for one text, without a String per feature: the distinct features
 * with their counts and ids, then the known ones sorted by id with the values
 * {@link EmotionFeaturizer#toExample(String, org.tribuo.classification.Label, org.tribuo.ImmutableFeatureMap)}
 * gives, bit for bit. One instance per text (not thread-safe, cheap to create).
 *
 * <p>Why it mimics {@link java.util.HashMap}: that path sums the squared values, for the L2 norm, in the
 * iteration order of a {@code HashMap<String, ..>}. Floating-point addition is not associative, so another
 * order would change the norm's last bit now and then, and the probabilities with it. A HashMap visits
 * bucket by bucket ({@code (h ^ h >>> 16) & (capacity - 1)} of the name's {@link String#hashCode()}),
 * each bucket in insertion order, and resizing keeps that order; only a bucket turned into a tree (a 9th
 * name in one bucket of a table of 64+) is ordered otherwise. This class keeps the same buckets and
 * {@link #add}s in the same order; it reports a tree bucket ({@link #ordered()} false) and the caller
 * then takes the reference path.
 */
final class FeatureCounter implements EmotionFeaturizer.FeatureSink {

    // java.util.HashMap's constants (JDK 8 to 21).
    private static final int TREEIFY_THRESHOLD = 8;
    private static final int MIN_TREEIFY_CAPACITY = 64;

    private static final int HASH_W = "w:".hashCode();
    private static final int HASH_B = "b:".hashCode();
    private static final int HASH_C = "c:".hashCode();

    /** 1 + ln(tf), the sublinear TF, for the small counts nearly all features have. */
    private static final double[] TF = new double[64];

    static {
        for (int tf = 1; tf < TF.length; tf++) {
            TF[tf] = 1.0 + Math.log(tf);
        }
    }

    private final FeatureIds vocabulary;
    private final boolean separateBlocks;

    // The emulated table: bucket -> first entry + 1 (0: empty); entries chain through next.
    private int[] buckets;
    private int threshold;
    private boolean ordered = true;

    // The distinct features in insertion order; a name is kind ':' text[start, end) [' ' text[start2, end2)].
    private int size;
    private int[] hash;
    private int[] next;
    private int[] count;
    private int[] id;
    private char[] kind;
    private int[] start;
    private int[] end;
    private int[] start2;
    private int[] end2;

    // The result: known features sorted by id.
    private int known;
    private int[] ids;
    private double[] values;

    /**
     * @param normLength length of the normalised text, which sizes the reference path's HashMap
     * @param charNgramSizes charMax - charMin + 1 of the featurizer
     */
    FeatureCounter(FeatureIds vocabulary, boolean separateBlocks, int normLength, int charNgramSizes) {
        this.vocabulary = vocabulary;
        this.separateBlocks = separateBlocks;
        // new HashMap<>(initialCapacity) has the next power of two buckets, resized at 3/4 full.
        int capacity = tableSizeFor(Math.max(16, normLength * (charNgramSizes + 1)));
        this.buckets = new int[capacity];
        this.threshold = capacity / 4 * 3;
        int entries = Math.max(16, Math.min(capacity, normLength * 4 + 16));
        this.hash = new int[entries];
        this.next = new int[entries];
        this.count = new int[entries];
        this.id = new int[entries];
        this.kind = new char[entries];
        this.start = new int[entries];
        this.end = new int[entries];
        this.start2 = new int[entries];
        this.end2 = new int[entries];
    }

    @Override
    public void word(char[] t, int s, int e) {
        add(hash(HASH_W, t, s, e), 'w', t, s, e, -1, -1);
    }

    @Override
    public void bigram(char[] t, int prevStart, int prevEnd, int s, int e) {
        int h = hash(HASH_B, t, prevStart, prevEnd);
        add(hash(31 * h + ' ', t, s, e), 'b', t, prevStart, prevEnd, s, e);
    }

    @Override
    public void charNgram(char[] t, int s, int e) {
        add(hash(HASH_C, t, s, e), 'c', t, s, e, -1, -1);
    }

    // String.hashCode of prefix + t[s, e), given the prefix's hash.
    private static int hash(int h, char[] t, int s, int e) {
        for (int i = s; i < e; i++) {
            h = 31 * h + t[i];
        }
        return h;
    }

    /** HashMap.put of a new name (or a count + 1 of a known one), with HashMap's bucket bookkeeping. */
    private void add(int h, char k, char[] t, int s, int e, int s2, int e2) {
        int b = bucket(h, buckets.length);
        int last = -1;
        int chain = 0;
        for (int i = buckets[b] - 1; i >= 0; i = next[i]) {
            if (hash[i] == h && kind[i] == k && same(t, s, e, start[i], end[i])
                    && (s2 < 0 || same(t, s2, e2, start2[i], end2[i]))) {
                count[i]++;
                return;
            }
            last = i;
            chain++;
        }
        if (size == hash.length) {
            grow();
        }
        int i = size++;
        hash[i] = h;
        kind[i] = k;
        start[i] = s;
        end[i] = e;
        start2[i] = s2;
        end2[i] = e2;
        count[i] = 1;
        id[i] = vocabulary.find(h, k, t, s, e, s2, e2);
        next[i] = -1;
        if (last < 0) {
            buckets[b] = i + 1;
        } else {
            next[last] = i;
        }
        if (chain >= TREEIFY_THRESHOLD) {
            if (buckets.length < MIN_TREEIFY_CAPACITY) {
                resize(); // HashMap grows the table rather than make a tree of a small one
            } else {
                ordered = false; // a tree bucket: another order, which this class does not mimic
            }
        }
        if (size > threshold) {
            resize();
        }
    }

    private static boolean same(char[] t, int s, int e, int s2, int e2) {
        if (e - s != e2 - s2) {
            return false;
        }
        for (int i = s, j = s2; i < e; i++, j++) {
            if (t[i] != t[j]) {
                return false;
            }
        }
        return true;
    }

    // Twice the buckets; each bucket keeps its entries in insertion order, as HashMap.resize does.
    private void resize() {
        buckets = new int[buckets.length * 2];
        threshold *= 2;
        int[] tail = new int[buckets.length];
        for (int i = 0; i < size; i++) {
            int b = bucket(hash[i], buckets.length);
            next[i] = -1;
            if (buckets[b] == 0) {
                buckets[b] = i + 1;
            } else {
                next[tail[b]] = i;
            }
            tail[b] = i;
        }
    }

    private void grow() {
        int n = hash.length * 2;
        hash = Arrays.copyOf(hash, n);
        next = Arrays.copyOf(next, n);
        count = Arrays.copyOf(count, n);
        id = Arrays.copyOf(id, n);
        kind = Arrays.copyOf(kind, n);
        start = Arrays.copyOf(start, n);
        end = Arrays.copyOf(end, n);
        start2 = Arrays.copyOf(start2, n);
        end2 = Arrays.copyOf(end2, n);
    }

    private static int bucket(int h, int capacity) {
        return (h ^ (h >>> 16)) & (capacity - 1);
    }

    // The power of two HashMap's table gets for an initial capacity.
    private static int tableSizeFor(int c) {
        return c <= 1 ? 1 : Integer.highestOneBit(c - 1) << 1;
    }

    /** False if the reference path's HashMap would iterate in an order this class does not reproduce. */
    boolean ordered() {
        return ordered;
    }

    /**
     * Computes the known features' values: 1 + ln(tf), L2-normalised over all features, known or not,
     * like {@link EmotionFeaturizer}: the squares summed in HashMap order, the values then in id order.
     */
    void finish() {
        double[] sumSq = new double[2];
        long[] order = new long[size]; // (id << 32) | entry: sorts by id
        for (int b = 0; b < buckets.length; b++) {
            for (int i = buckets[b] - 1; i >= 0; i = next[i]) {
                double v = tf(count[i]);
                sumSq[block(i)] += v * v;
                if (id[i] >= 0) {
                    order[known++] = ((long) id[i] << 32) | i;
                }
            }
        }
        Arrays.sort(order, 0, known);
        double[] inv = EmotionFeaturizer.inverseNorms(sumSq, separateBlocks);
        ids = new int[known];
        values = new double[known];
        for (int j = 0; j < known; j++) {
            int i = (int) order[j];
            ids[j] = id[i];
            values[j] = tf(count[i]) * inv[block(i)];
        }
    }

    private static double tf(int count) {
        return count < TF.length ? TF[count] : 1.0 + Math.log(count);
    }

    // 0 = words and bigrams, 1 = character n-grams, as EmotionFeaturizer's blocks.
    private int block(int i) {
        return kind[i] == 'c' ? 1 : 0;
    }

    /** Number of known features (after {@link #finish()}). */
    int known() {
        return known;
    }

    /** Their ids, ascending. */
    int[] ids() {
        return ids;
    }

    /** Their values, in the order of {@link #ids()}. */
    double[] values() {
        return values;
    }
}
