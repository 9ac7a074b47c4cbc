package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuo.ImmutableFeatureMap;

/** The fast path's building blocks against what they replace: Tribuo's name lookup and Arrays.sort. */
class FeatureIdsTest {

    static ImmutableFeatureMap vocabulary;
    static FeatureIds ids;

    @BeforeAll
    static void load() throws IOException {
        vocabulary = EmotionClassifier.fromClasspath(EmotionClassifier.MODEL_RESOURCE).model().getFeatureIDMap();
        ids = new FeatureIds(vocabulary);
    }

    @Test
    void findsEveryNameOfTheModelAtItsTribuoId() {
        for (int id = 0; id < vocabulary.size(); id++) {
            assertEquals(id, find(vocabulary.get(id).getName()), vocabulary.get(id).getName());
        }
    }

    @Test
    void unknownNamesAreMinusOneLikeTribuo() {
        for (String name : List.of("c:zqx", "w:zzqxvw", "b:zzq xxv", "c:\u4E00\u4E01", "w:", "c: ", "x:love", "w:love!",
                "w:lov", "b:i", "c:😂", "w:" + "a".repeat(300))) {
            assertEquals(vocabulary.getID(name), find(name), name);
            assertEquals(-1, find(name), name);
        }
    }

    @Test
    void shortKeysAreExactAndOnlyForShortNames() {
        assertNotEquals(0, FeatureIds.keyOf("c: lov"));
        assertNotEquals(FeatureIds.keyOf("c: lov"), FeatureIds.keyOf("w: lov"));
        assertNotEquals(FeatureIds.keyOf("c:ab"), FeatureIds.keyOf("c:\u0000ab"));
        assertEquals(0, FeatureIds.keyOf("w:lovely"), "6 characters: compared as text");
        assertEquals(0, FeatureIds.keyOf("c:\u4E00"), "above 11 bits: compared as text");
        assertEquals(0, FeatureIds.keyOf("x:ab"), "not a kind of this featurizer");
    }

    @Test
    void radixSortSortsLikeArraysSortIncludingLargeIds() {
        Random random = new Random(7);
        for (int bound : new int[] {1, 200, 41374, 1 << 20, Integer.MAX_VALUE}) {
            for (int n : new int[] {0, 1, 2, 17, 160, 1000, 3000}) {
                long[] a = new long[n + 3];
                for (int i = 0; i < a.length; i++) {
                    a[i] = ((long) random.nextInt(bound) << 32) | i; // distinct: the low half is unique
                }
                long[] expected = a.clone();
                Arrays.sort(expected, 0, n);
                FeatureCounter.sortByHighInt(a, n, Scratch.get());
                assertArrayEquals(expected, a, "bound " + bound + ", n " + n);
            }
        }
    }

    // The lookup as FeatureCounter makes it, from a name split into kind and character ranges.
    private static int find(String name) {
        char[] text = name.toCharArray();
        int space = name.charAt(0) == 'b' ? name.indexOf(' ', 2) : -1;
        int hash = name.hashCode();
        long key = FeatureIds.keyOf(name);
        return space < 0
                ? ids.find(hash, key, name.charAt(0), text, 2, text.length, -1, -1)
                : ids.find(hash, key, 'b', text, 2, space, space + 1, text.length);
    }
}
