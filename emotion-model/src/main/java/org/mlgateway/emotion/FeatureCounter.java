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

    /**
     * Longer normalised texts take the reference path: their HashMap would approach its largest table
     * (2^30 buckets), whose growth this class does not mimic. A request is far shorter.
     */
    static final int MAX_LENGTH = 1 << 24;

    private static final int HASH_W = "w:".hashCode();
    private static final int HASH_B = "b:".hashCode();
    private static final int HASH_C = "c:".hashCode();

    /** 1 + ln(tf), the sublinear TF, for the small counts nearly all features have; EmotionFeaturizer's expression. */
    private static final double[] TF = new double[64];

    static {
        for (int tf = 1; tf < TF.length; tf++) {
            TF[tf] = 1.0 + Math.log(tf);
        }
    }

    // One entry per distinct feature, in insertion order, as ENTRY ints in one array (few cache lines):
    // its name's hash, the next entry in its bucket (-1: none), its count, its vocabulary id (-1: unknown),
    // and its name: KIND ':' text[START, END), then ' ' text[START2, END2) for a bigram (START2 -1 otherwise).
    // keys[entry] is the name's short key (FeatureIds.SHORT), 0 if it has none.
    private static final int HASH = 0;
    private static final int NEXT = 1;
    private static final int COUNT = 2;
    private static final int ID = 3;
    private static final int KIND = 4;
    private static final int START = 5;
    private static final int END = 6;
    private static final int START2 = 7;
    private static final int END2 = 8;
    private static final int ENTRY = 9;

    private static final long CODE_W = FeatureIds.kindCode('w');
    private static final long CODE_B = FeatureIds.kindCode('b');
    private static final long CODE_C = FeatureIds.kindCode('c');

    private final FeatureIds vocabulary;
    private final boolean separateBlocks;

    // The emulated table: bucket -> its first entry + 1 (0: empty).
    private int[] buckets;
    private int threshold;
    private boolean ordered = true;

    private char[] text;
    private int[] entries;
    private long[] keys;
    private int size;

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
        if (normLength > MAX_LENGTH) {
            ordered = false;
            normLength = 0;
        }
        int capacity = tableSizeFor(Math.max(16, normLength * (charNgramSizes + 1)));
        this.buckets = new int[capacity];
        this.threshold = capacity / 4 * 3;
        // Tweets have about 2.5 distinct features per character; more grows the arrays.
        int entryCapacity = 16 + Math.min(normLength * 3, 4096);
        this.entries = new int[ENTRY * entryCapacity];
        this.keys = new long[entryCapacity];
    }

    // Each feature's String.hashCode and short key are computed in one pass over its characters; "or" of
    // the characters tells whether all fit in FeatureIds.CHAR_BITS.

    @Override
    public void word(char[] t, int s, int e) {
        int h = HASH_W;
        long key = CODE_W;
        int or = 0;
        for (int i = s; i < e; i++) {
            char c = t[i];
            h = 31 * h + c;
            key = key << FeatureIds.CHAR_BITS | c;
            or |= c;
        }
        add(h, shortKey(key, e - s, or), 'w', t, s, e, -1, -1);
    }

    @Override
    public void bigram(char[] t, int prevStart, int prevEnd, int s, int e) {
        int h = HASH_B;
        long key = CODE_B;
        int or = 0;
        for (int i = prevStart; i < prevEnd; i++) {
            char c = t[i];
            h = 31 * h + c;
            key = key << FeatureIds.CHAR_BITS | c;
            or |= c;
        }
        h = 31 * h + ' ';
        key = key << FeatureIds.CHAR_BITS | ' ';
        for (int i = s; i < e; i++) {
            char c = t[i];
            h = 31 * h + c;
            key = key << FeatureIds.CHAR_BITS | c;
            or |= c;
        }
        add(h, shortKey(key, prevEnd - prevStart + 1 + e - s, or), 'b', t, prevStart, prevEnd, s, e);
    }

    @Override
    public void charNgram(char[] t, int s, int e) {
        int h = HASH_C;
        long key = CODE_C;
        int or = 0;
        for (int i = s; i < e; i++) {
            char c = t[i];
            h = 31 * h + c;
            key = key << FeatureIds.CHAR_BITS | c;
            or |= c;
        }
        add(h, shortKey(key, e - s, or), 'c', t, s, e, -1, -1);
    }

    private static long shortKey(long key, int length, int or) {
        return length <= FeatureIds.SHORT && or < (1 << FeatureIds.CHAR_BITS) ? key : 0;
    }

    /** HashMap.put of a new name (or a count + 1 of a known one), with HashMap's bucket bookkeeping. */
    private void add(int h, long key, char kind, char[] t, int s, int e, int s2, int e2) {
        text = t;
        int[] en = entries;
        int b = bucket(h, buckets.length);
        int last = -1;
        int chain = 0;
        for (int i = buckets[b] - 1; i >= 0; i = en[i * ENTRY + NEXT]) {
            int o = i * ENTRY;
            if (en[o + HASH] == h && (key != 0 ? keys[i] == key
                    : keys[i] == 0 && en[o + KIND] == kind && same(t, s, e, en[o + START], en[o + END])
                        && (s2 < 0 || same(t, s2, e2, en[o + START2], en[o + END2])))) {
                en[o + COUNT]++;
                return;
            }
            last = i;
            chain++;
        }
        if (size == keys.length) {
            en = entries = Arrays.copyOf(en, en.length * 2);
            keys = Arrays.copyOf(keys, keys.length * 2);
        }
        int i = size++;
        int o = i * ENTRY;
        en[o + HASH] = h;
        en[o + NEXT] = -1;
        en[o + COUNT] = 1;
        en[o + ID] = -1; // looked up in finish()
        en[o + KIND] = kind;
        en[o + START] = s;
        en[o + END] = e;
        en[o + START2] = s2;
        en[o + END2] = e2;
        keys[i] = key;
        if (last < 0) {
            buckets[b] = i + 1;
        } else {
            en[last * ENTRY + NEXT] = i;
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
            int b = bucket(entries[i * ENTRY + HASH], buckets.length);
            entries[i * ENTRY + NEXT] = -1;
            if (buckets[b] == 0) {
                buckets[b] = i + 1;
            } else {
                entries[tail[b] * ENTRY + NEXT] = i;
            }
            tail[b] = i;
        }
    }

    private static int bucket(int h, int capacity) {
        return (h ^ (h >>> 16)) & (capacity - 1);
    }

    // The power of two HashMap's table gets for an initial capacity.
    private static int tableSizeFor(int c) {
        return c <= 1 ? 1 : Integer.highestOneBit(c - 1) << 1;
    }

    /**
     * False if the reference path's HashMap would iterate in an order this class does not reproduce (a
     * tree bucket), or the text is longer than {@link #MAX_LENGTH}: then the values are not computed.
     */
    boolean ordered() {
        return ordered;
    }

    /**
     * Computes the known features' values: 1 + ln(tf), L2-normalised over all features, known or not,
     * like {@link EmotionFeaturizer}: the squares summed in HashMap order, the values then in id order.
     */
    void finish() {
        int[] en = entries;
        // The lookups in one loop, without dependencies between them: the processor overlaps their cache
        // misses (the table is larger than the L2 cache).
        for (int i = 0; i < size; i++) {
            int o = i * ENTRY;
            en[o + ID] = vocabulary.find(en[o + HASH], keys[i], (char) en[o + KIND], text,
                    en[o + START], en[o + END], en[o + START2], en[o + END2]);
        }
        // Two sums, words and bigrams (w, b) and character n-grams (c), as EmotionFeaturizer's blocks.
        double words = 0;
        double chars = 0;
        long[] order = new long[size]; // (id << 32) | offset of the entry: sorts by id
        for (int b = 0; b < buckets.length; b++) {
            for (int i = buckets[b] - 1; i >= 0; i = en[i * ENTRY + NEXT]) {
                int o = i * ENTRY;
                double v = tf(en[o + COUNT]);
                if (en[o + KIND] == 'c') {
                    chars += v * v;
                } else {
                    words += v * v;
                }
                if (en[o + ID] >= 0) {
                    order[known++] = ((long) en[o + ID] << 32) | o;
                }
            }
        }
        sortByHighInt(order, known);
        double[] inv = EmotionFeaturizer.inverseNorms(new double[] {words, chars}, separateBlocks);
        ids = new int[known];
        values = new double[known];
        for (int j = 0; j < known; j++) {
            int i = (int) order[j];
            ids[j] = en[i + ID];
            values[j] = tf(en[i + COUNT]) * inv[en[i + KIND] == 'c' ? 1 : 0];
        }
    }

    /**
     * Sorts a[0..n) by the upper 32 bits (non-negative): a radix sort, one byte per pass, as many passes
     * as the largest value needs (2 for this model's 41k ids). About 3 times faster than Arrays.sort for
     * the ~150 known features of a tweet, which were 15% of a prediction.
     */
    static void sortByHighInt(long[] a, int n) {
        long max = 0;
        for (int i = 0; i < n; i++) {
            max |= a[i];
        }
        long[] from = a;
        long[] to = new long[n];
        for (int shift = 32; shift < 64 && (max >>> shift) != 0; shift += 8) {
            int[] start = new int[256];
            for (int i = 0; i < n; i++) {
                start[(int) (from[i] >>> shift) & 0xFF]++;
            }
            for (int d = 0, sum = 0; d < 256; d++) {
                int c = start[d];
                start[d] = sum;
                sum += c;
            }
            for (int i = 0; i < n; i++) {
                to[start[(int) (from[i] >>> shift) & 0xFF]++] = from[i];
            }
            long[] swap = from;
            from = to;
            to = swap;
        }
        if (from != a) {
            System.arraycopy(from, 0, a, 0, n);
        }
    }

    private static double tf(int count) {
        return count < TF.length ? TF[count] : 1.0 + Math.log(count);
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
