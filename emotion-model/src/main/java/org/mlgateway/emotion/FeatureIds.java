package org.mlgateway.emotion;

import org.tribuo.ImmutableFeatureMap;

/**
 * A model's feature names → Tribuo feature ids, looked up from characters in a buffer instead of a String,
 * so serving builds no String per feature. Same answers as {@link ImmutableFeatureMap#getID(String)}.
 *
 * <p>A feature name is {@code kind ':' part} or, for word bigrams, {@code kind ':' part ' ' part2}; the
 * caller passes the name's {@link String#hashCode()}, which it computes while walking the text.
 *
 * <p>Immutable after construction: safe to share between threads.
 */
final class FeatureIds {

    private static final long EMPTY = 0;

    /** Open addressing, linear probing; a slot holds (name hash << 32) | (id + 1), 0 when empty. */
    private final long[] slots;
    private final int shift;
    /** The name of feature id i is names[offsets[i] .. offsets[i + 1]). One array: few cache misses. */
    private final char[] names;
    private final int[] offsets;

    FeatureIds(ImmutableFeatureMap featureMap) {
        int n = featureMap.size();
        int bits = Math.max(4, 33 - Integer.numberOfLeadingZeros(n)); // at least twice as many slots as names
        this.slots = new long[1 << bits];
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
            while (slots[slot] != EMPTY) {
                slot = (slot + 1) & (slots.length - 1);
            }
            slots[slot] = ((long) name.hashCode() << 32) | (id + 1);
        }
        offsets[n] = at;
    }

    /**
     * The id of the feature named {@code kind ':' text[start, end)}, followed by {@code ' ' text[start2, end2)}
     * when {@code start2 >= 0}; -1 if the model does not know it.
     */
    int find(int hash, char kind, char[] text, int start, int end, int start2, int end2) {
        int length = 2 + end - start + (start2 >= 0 ? 1 + end2 - start2 : 0);
        for (int slot = slotOf(hash); ; slot = (slot + 1) & (slots.length - 1)) {
            long s = slots[slot];
            if (s == EMPTY) {
                return -1;
            }
            if ((int) (s >>> 32) == hash) {
                int id = (int) s - 1;
                int at = offsets[id];
                if (offsets[id + 1] - at == length && names[at] == kind && names[at + 1] == ':'
                        && same(text, start, end, at + 2)
                        && (start2 < 0 || names[at + 2 + end - start] == ' '
                            && same(text, start2, end2, at + 3 + end - start))) {
                    return id;
                }
            }
        }
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
