package org.mlgateway.emotion;

import org.tribuo.ImmutableFeatureMap;

/**
 * A model's feature names → Tribuo feature ids, looked up from characters in a buffer instead of a String,
 * so serving builds no String per feature. Same answers as {@link ImmutableFeatureMap#getID(String)}.
 *
 * <p>A feature name is {@code kind ':' part} or, for word bigrams, {@code kind ':' part ' ' part2}. The
 * caller passes the name's {@link String#hashCode()} and its {@link #SHORT short key}, both computed while
 * walking the text. Most names (the character n-grams) are short: the key is the whole name, so a lookup
 * reads one slot of the table (one cache miss) and compares no characters. Longer names are compared
 * character by character.
 *
 * <p>Immutable after construction: safe to share between threads.
 */
final class FeatureIds {

    /**
     * Names with at most SHORT characters after "k:", each below 2^11 (Latin, Greek, Cyrillic, Hebrew,
     * Arabic...), have a short key: the kind's code, then 11 bits per character; exact, so equal keys
     * mean equal names. The code (1 to 3) also marks the length. Other names have the key 0.
     */
    static final int SHORT = 5;
    static final int CHAR_BITS = 11;

    /** Open addressing, linear probing; slot j is table[2j] = short key, table[2j+1] = (hash << 32) | (id + 1). */
    private final long[] table;
    private final int shift;
    /** The name of feature id i is names[offsets[i] .. offsets[i + 1]), for the names without a short key. */
    private final char[] names;
    private final int[] offsets;

    FeatureIds(ImmutableFeatureMap featureMap) {
        int n = featureMap.size();
        int bits = Math.max(4, 33 - Integer.numberOfLeadingZeros(n)); // at least twice as many slots as names
        this.table = new long[2 << bits];
        this.shift = 32 - bits;
        this.offsets = new int[n + 1];
        int total = 0;
        for (int id = 0; id < n; id++) {
            total += featureMap.get(id).getName().length();
        }
        this.names = new char[total];
        int at = 0;
        for (int id = 0; id < n; id++) {
            String name = featureMap.get(id).getName();
            offsets[id] = at;
            name.getChars(0, name.length(), names, at);
            at += name.length();
            int slot = slotOf(name.hashCode());
            while (table[2 * slot + 1] != 0) {
                slot = (slot + 1) & (table.length / 2 - 1);
            }
            table[2 * slot] = keyOf(name);
            table[2 * slot + 1] = ((long) name.hashCode() << 32) | (id + 1);
        }
        offsets[n] = at;
    }

    /** The code that starts the short key of a name of this kind; 0 for a kind without short keys. */
    static long kindCode(char kind) {
        switch (kind) {
            case 'w': return 1;
            case 'b': return 2;
            case 'c': return 3;
            default: return 0;
        }
    }

    /** The short key of a whole name, 0 if it has none; what the serving path computes from the text. */
    static long keyOf(String name) {
        if (name.length() < 2 || name.charAt(1) != ':' || name.length() - 2 > SHORT) {
            return 0;
        }
        long key = kindCode(name.charAt(0));
        for (int i = 2; i < name.length() && key != 0; i++) {
            char c = name.charAt(i);
            key = c < (1 << CHAR_BITS) ? key << CHAR_BITS | c : 0;
        }
        return key;
    }

    /**
     * The id of the feature named {@code kind ':' text[start, end)}, followed by {@code ' ' text[start2, end2)}
     * when {@code start2 >= 0}, given its hash and short key; -1 if the model does not know it.
     */
    int find(int hash, long key, char kind, char[] text, int start, int end, int start2, int end2) {
        for (int slot = slotOf(hash); ; slot = (slot + 1) & (table.length / 2 - 1)) {
            long idAndHash = table[2 * slot + 1];
            if (idAndHash == 0) {
                return -1;
            }
            long k = table[2 * slot];
            int id = (int) idAndHash - 1;
            if (key != 0 ? k == key
                    : k == 0 && (int) (idAndHash >>> 32) == hash && sameName(id, kind, text, start, end, start2, end2)) {
                return id;
            }
        }
    }

    private boolean sameName(int id, char kind, char[] text, int start, int end, int start2, int end2) {
        int at = offsets[id];
        int length = 2 + end - start + (start2 >= 0 ? 1 + end2 - start2 : 0);
        return offsets[id + 1] - at == length && names[at] == kind && names[at + 1] == ':'
                && same(text, start, end, at + 2)
                && (start2 < 0 || names[at + 2 + end - start] == ' ' && same(text, start2, end2, at + 3 + end - start));
    }

    private boolean same(char[] text, int start, int end, int at) {
        for (int i = start; i < end; i++, at++) {
            if (text[i] != names[at]) {
                return false;
            }
        }
        return true;
    }

    // String.hashCode has weak low bits for similar short names; a multiplicative mix spreads them.
    private int slotOf(int hash) {
        return (hash * 0x9E3779B9) >>> shift;
    }
}
