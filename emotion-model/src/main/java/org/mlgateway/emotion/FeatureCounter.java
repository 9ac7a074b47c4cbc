package org.mlgateway.emotion;

import java.util.Arrays;

/**
 * The serving path's feature values for one text, without a String per feature: the distinct features
 * with their counts and ids, then the known ones sorted by id with the values
 * {@link EmotionFeaturizer#toExample(String, org.tribuo.classification.Label, org.tribuo.ImmutableFeatureMap)}
 * gives, bit for bit. One instance per text, working in the calling thread's {@link Scratch} arrays.
 *
 * <p>Why it mimics {@link java.util.HashMap}: that path sums the squared values, for the L2 norm, in the
 * iteration order of a {@code new HashMap<String, ..>(max(16, length * (n-gram sizes + 1)))} of the
 * normalised text. Floating-point addition is not associative, so another order would change the norm's
 * last bit now and then, and the probabilities with it (summing in insertion order changed some bits for
 * 35% of train.csv). Without tree buckets, a HashMap iterates bucket by bucket
 * ({@code (h ^ h >>> 16) & (capacity - 1)} of the name's {@link String#hashCode()}), each bucket in
 * insertion order; its capacity is the initial one doubled until the names fill at most 3/4 (resizing
 * keeps each bucket's order). A bucket becomes a tree, ordered otherwise, only when a 9th name joins it;
 * as buckets only split when the table grows, that cannot happen unless 9 of the final names share a
 * bucket of the initial table. This class computes that order (a stable counting sort of the names by
 * bucket) and reports such a text ({@link #ordered()} false): the caller then takes the reference path
 * (in practice never for tweets).
 */
final class FeatureCounter implements EmotionFeaturizer.FeatureSink {

    /** java.util.HashMap's TREEIFY_THRESHOLD (JDK 8 to 21): a bucket with more names may become a tree. */
    private static final int TREEIFY_THRESHOLD = 8;

    /**
     * Longer normalised texts take the reference path: their HashMap would approach its largest table
     * (2^30 buckets), whose growth this class does not mimic. A request is far shorter.
     */
    static final int MAX_LENGTH = 1 << 24;

    private static final int HASH_W = "w:".hashCode();
    private static final int HASH_B = "b:".hashCode();
    private static final int HASH_C = "c:".hashCode();

    private static final long CODE_W = FeatureIds.kindCode('w');
    private static final long CODE_B = FeatureIds.kindCode('b');
    private static final long CODE_C = FeatureIds.kindCode('c');

    /** 31^n modulo 2^32, for String.hashCode of a range. */
    private static final int[] POW31 = new int[16];

    static {
        POW31[0] = 1;
        for (int n = 1; n < POW31.length; n++) {
            POW31[n] = 31 * POW31[n - 1];
        }
    }

    /** 1 + ln(tf), the sublinear TF, for the small counts nearly all features have; EmotionFeaturizer's expression. */
    private static final double[] TF = new double[64];

    static {
        for (int tf = 1; tf < TF.length; tf++) {
            TF[tf] = 1.0 + Math.log(tf);
        }
    }

    // One entry per distinct feature, in insertion order, as ENTRY ints in one array (one cache line):
    // its name's hash, its count, its vocabulary id (-1: unknown), and its name: KIND ':' text[START, END),
    // then ' ' text[START2, END2) for a bigram (START2 -1 otherwise). keys[entry] is the name's short key
    // (FeatureIds.SHORT), 0 if it has none.
    private static final int HASH = 0;
    private static final int COUNT = 1;
    private static final int ID = 2;
    private static final int KIND = 3;
    private static final int START = 4;
    private static final int END = 5;
    private static final int START2 = 6;
    private static final int END2 = 7;
    private static final int ENTRY_BITS = 3;

    private final FeatureIds vocabulary;
    private final boolean separateBlocks;
    /** The bucket count of the reference path's HashMap when created. */
    private final int initialCapacity;
    private boolean ordered = true;
    /** This thread's reusable arrays (see {@link Scratch}). */
    private final Object[] scratch;

    private char[] text;
    /** The text the prefix sums are of. */
    private char[] indexed;
    private int[] prefixHash;
    private long[] prefixKey;
    private int[] wideChars;
    private int[] entries;
    private long[] keys;
    private int size;
    /** Entries that fit before the arrays grow: half the slots. */
    private int room;
    /** Finds an entry by name: open addressing over {@code room * 2} slots, entry + 1 (0: empty). */
    private int[] slots;
    private int shift;

    // The result: known features sorted by id.
    private int known;
    private int[] ids;
    private double[] values;

    /**
     * Uses this thread's {@link Scratch} arrays: valid until the next FeatureCounter of the thread.
     *
     * @param normLength length of the normalised text, which sizes the reference path's HashMap
     * @param charNgramSizes charMax - charMin + 1 of the featurizer
     */
    FeatureCounter(FeatureIds vocabulary, boolean separateBlocks, int normLength, int charNgramSizes) {
        this.vocabulary = vocabulary;
        this.separateBlocks = separateBlocks;
        this.scratch = Scratch.get();
        if (normLength > MAX_LENGTH) {
            ordered = false;
            normLength = 0;
        }
        // EmotionFeaturizer's new HashMap<>(max(16, length * (sizes + 1))) has the next power of two buckets.
        this.initialCapacity = tableSizeFor(Math.max(16, normLength * (charNgramSizes + 1)));
        // Tweets have about 2.5 distinct features per character; more grows the arrays.
        this.room = tableSizeFor(16 + Math.min(normLength * 3, 1024));
        this.entries = Scratch.ints(scratch, Scratch.ENTRIES, room << ENTRY_BITS);
        this.keys = Scratch.longs(scratch, Scratch.KEYS, room);
        this.slots = Scratch.zeroedInts(scratch, Scratch.SLOTS, room * 2);
        this.shift = Integer.numberOfLeadingZeros(room * 2 - 1);
    }

    // A word's or bigram's String.hashCode and short key are computed in one pass over its characters;
    // "or" of the characters tells whether all fit in FeatureIds.CHAR_BITS.

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

    /**
     * The character n-grams, most of the features, in O(1) each: from prefix sums of the text (see
     * {@link #index}), the same hash and short key as the loop in {@link #word}.
     */
    @Override
    public void charNgram(char[] t, int s, int e) {
        if (t != indexed) {
            index(t);
        }
        int length = e - s;
        // String.hashCode, modulo 2^32 like int arithmetic: "c:" * 31^length + t[s, e).
        int h = (HASH_C - prefixHash[s]) * pow31(length) + prefixHash[e];
        long key = length <= FeatureIds.SHORT && wideChars[e] == wideChars[s]
                ? CODE_C << (FeatureIds.CHAR_BITS * length) | prefixKey[e] & ((1L << (FeatureIds.CHAR_BITS * length)) - 1)
                : 0;
        add(h, key, 'c', t, s, e, -1, -1);
    }

    /**
     * Prefix sums of the text: prefixHash[i] is String.hashCode of t[0, i), prefixKey[i] holds the last
     * characters of t[0, i) at FeatureIds.CHAR_BITS bits each, and wideChars[i] counts the characters
     * in t[0, i) too wide for a short key.
     */
    private void index(char[] t) {
        indexed = t;
        prefixHash = Scratch.ints(scratch, Scratch.PREFIX_HASHES, t.length + 1);
        prefixKey = Scratch.longs(scratch, Scratch.PREFIX_KEYS, t.length + 1);
        wideChars = Scratch.ints(scratch, Scratch.WIDE_CHARS, t.length + 1);
        prefixHash[0] = 0;
        prefixKey[0] = 0;
        wideChars[0] = 0;
        for (int i = 0; i < t.length; i++) {
            char c = t[i];
            prefixHash[i + 1] = 31 * prefixHash[i] + c;
            prefixKey[i + 1] = prefixKey[i] << FeatureIds.CHAR_BITS | (c & ((1 << FeatureIds.CHAR_BITS) - 1));
            wideChars[i + 1] = wideChars[i] + (c >>> FeatureIds.CHAR_BITS == 0 ? 0 : 1);
        }
    }

    private static int pow31(int n) {
        return n < POW31.length ? POW31[n] : 31 * pow31(n - 1);
    }

    private static long shortKey(long key, int length, int or) {
        return length <= FeatureIds.SHORT && or < (1 << FeatureIds.CHAR_BITS) ? key : 0;
    }

    /** Counts one occurrence of a feature: + 1 if seen before, else a new entry. */
    private void add(int h, long key, char kind, char[] t, int s, int e, int s2, int e2) {
        text = t;
        if (size == room) {
            grow();
        }
        int[] en = entries;
        int mask = room * 2 - 1;
        for (int slot = slotOf(h); ; slot = (slot + 1) & mask) {
            int i = slots[slot] - 1;
            if (i < 0) {
                i = size++;
                slots[slot] = i + 1;
                int o = i << ENTRY_BITS;
                en[o + HASH] = h;
                en[o + COUNT] = 1;
                en[o + KIND] = kind;
                en[o + START] = s;
                en[o + END] = e;
                en[o + START2] = s2;
                en[o + END2] = e2;
                keys[i] = key;
                return;
            }
            int o = i << ENTRY_BITS;
            if (en[o + HASH] == h && (key != 0 ? keys[i] == key
                    : keys[i] == 0 && en[o + KIND] == kind && same(t, s, e, en[o + START], en[o + END])
                        && (s2 < 0 || same(t, s2, e2, en[o + START2], en[o + END2])))) {
                en[o + COUNT]++;
                return;
            }
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

    // Twice the room: the entries copied, the slots rebuilt.
    private void grow() {
        room *= 2;
        int[] moreEntries = new int[room << ENTRY_BITS];
        System.arraycopy(entries, 0, moreEntries, 0, size << ENTRY_BITS);
        entries = moreEntries;
        Scratch.keep(scratch, Scratch.ENTRIES, entries, entries.length);
        keys = Arrays.copyOf(keys, room);
        Scratch.keep(scratch, Scratch.KEYS, keys, keys.length);
        slots = new int[room * 2];
        Scratch.keep(scratch, Scratch.SLOTS, slots, slots.length);
        shift--;
        for (int i = 0; i < size; i++) {
            int slot = slotOf(entries[(i << ENTRY_BITS) + HASH]);
            while (slots[slot] != 0) {
                slot = (slot + 1) & (room * 2 - 1);
            }
            slots[slot] = i + 1;
        }
    }

    // String.hashCode has weak low bits for similar short names; a multiplicative mix spreads them.
    private int slotOf(int h) {
        return (h * 0x9E3779B9) >>> shift;
    }

    private static int bucket(int h, int capacity) {
        return (h ^ (h >>> 16)) & (capacity - 1);
    }

    // The power of two HashMap's table gets for an initial capacity.
    private static int tableSizeFor(int c) {
        return c <= 1 ? 1 : Integer.highestOneBit(c - 1) << 1;
    }

    /**
     * False if the reference path's HashMap might iterate in an order this class does not reproduce (9
     * names in one bucket of its initial table), or the text is longer than {@link #MAX_LENGTH}: then the
     * values are not computed.
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
        int[] inHashMapOrder = hashMapOrder();
        if (inHashMapOrder == null) {
            ordered = false;
            return;
        }
        // The lookups in one loop, without dependencies between them: the processor overlaps their cache
        // misses (the table is larger than the L2 cache).
        for (int i = 0; i < size; i++) {
            int o = i << ENTRY_BITS;
            en[o + ID] = vocabulary.find(en[o + HASH], keys[i], (char) en[o + KIND], text,
                    en[o + START], en[o + END], en[o + START2], en[o + END2]);
        }
        // Two sums, words and bigrams (w, b) and character n-grams (c), as EmotionFeaturizer's blocks.
        double words = 0;
        double chars = 0;
        long[] order = Scratch.longs(scratch, Scratch.ID_ORDER, size); // (id << 32) | entry offset: sorts by id
        for (int k = 0; k < size; k++) {
            int o = inHashMapOrder[k] << ENTRY_BITS;
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
        sortByHighInt(order, known, scratch);
        double[] inv = EmotionFeaturizer.inverseNorms(new double[] {words, chars}, separateBlocks);
        ids = Scratch.ints(scratch, Scratch.IDS, known);
        values = Scratch.doubles(scratch, Scratch.VALUES, known);
        for (int j = 0; j < known; j++) {
            int o = (int) order[j];
            ids[j] = en[o + ID];
            values[j] = tf(en[o + COUNT]) * inv[en[o + KIND] == 'c' ? 1 : 0];
        }
    }

    /** The entries in the reference HashMap's iteration order, or null if a bucket of it may be a tree. */
    private int[] hashMapOrder() {
        int capacity = initialCapacity;
        while (size > capacity / 4 * 3) {
            capacity *= 2; // HashMap.resize
        }
        if (capacity != initialCapacity) {
            int[] initial = Scratch.zeroedInts(scratch, Scratch.BUCKETS, initialCapacity);
            for (int i = 0; i < size; i++) {
                if (++initial[bucket(entries[(i << ENTRY_BITS) + HASH], initialCapacity)] > TREEIFY_THRESHOLD) {
                    return null;
                }
            }
        }
        // A stable counting sort by bucket: entries of one bucket stay in insertion order.
        int[] start = Scratch.zeroedInts(scratch, Scratch.BUCKETS, capacity + 1);
        for (int i = 0; i < size; i++) {
            if (++start[bucket(entries[(i << ENTRY_BITS) + HASH], capacity) + 1] > TREEIFY_THRESHOLD) {
                return null;
            }
        }
        for (int b = 0; b < capacity; b++) {
            start[b + 1] += start[b];
        }
        int[] order = Scratch.ints(scratch, Scratch.HASHMAP_ORDER, size);
        for (int i = 0; i < size; i++) {
            order[start[bucket(entries[(i << ENTRY_BITS) + HASH], capacity)]++] = i;
        }
        return order;
    }

    /**
     * Sorts a[0..n) by the upper 32 bits (non-negative, distinct): a counting sort on their top 8 bits,
     * then an insertion sort, which only has to order the few values that share a bucket. For the ~160
     * known features of a tweet: 1.4 us, Arrays.sort 5.3 us, a radix sort of two byte-wise passes 2.2 us.
     */
    static void sortByHighInt(long[] a, int n, Object[] scratch) {
        if (n > 1024) {
            Arrays.sort(a, 0, n); // a long text: buckets of many values, where insertion sort is quadratic
            return;
        }
        long max = 0;
        for (int i = 0; i < n; i++) {
            max |= a[i];
        }
        int shift = Math.max(32, 64 - Long.numberOfLeadingZeros(max) - 8); // the top 8 bits of the largest
        int[] start = Scratch.zeroedInts(scratch, Scratch.DIGITS, 257);
        for (int i = 0; i < n; i++) {
            start[(int) (a[i] >>> shift) + 1]++;
        }
        for (int d = 0; d < 256; d++) {
            start[d + 1] += start[d];
        }
        long[] to = Scratch.longs(scratch, Scratch.SORT_BUFFER, n);
        for (int i = 0; i < n; i++) {
            to[start[(int) (a[i] >>> shift)]++] = a[i];
        }
        for (int i = 0; i < n; i++) {
            long x = to[i];
            int j = i;
            while (j > 0 && a[j - 1] > x) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
    }

    private static double tf(int count) {
        return count < TF.length ? TF[count] : 1.0 + Math.log(count);
    }

    /** Number of known features (after {@link #finish()}). */
    int known() {
        return known;
    }

    /** Their ids, ascending, in the first {@link #known()} places. */
    int[] ids() {
        return ids;
    }

    /** Their values, in the order of {@link #ids()}, in the first {@link #known()} places. */
    double[] values() {
        return values;
    }
}
