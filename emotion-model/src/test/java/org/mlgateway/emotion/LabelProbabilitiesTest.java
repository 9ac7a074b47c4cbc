package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** The fast path's probability map behaves like the TreeMap the reference path answers with. */
class LabelProbabilitiesTest {

    private static final String[] LABELS = {"anger", "fun", "love", "worry"};
    private static final double[] P = {0.1, 0.2, 0.3, 0.4};

    private final LabelProbabilities map = new LabelProbabilities(LABELS, P);
    private final TreeMap<String, Double> tree = new TreeMap<>(Map.of("anger", 0.1, "fun", 0.2, "love", 0.3, "worry", 0.4));

    @Test
    void equalsHashesAndPrintsLikeATreeMap() {
        assertEquals(tree, map);
        assertEquals(map, tree);
        assertEquals(tree.hashCode(), map.hashCode());
        assertEquals(tree.toString(), map.toString());
        assertEquals(new ArrayList<>(tree.entrySet()), new ArrayList<>(map.entrySet()));
        assertEquals(List.copyOf(tree.values()), List.copyOf(map.values()));
        assertFalse(map.equals(new TreeMap<>(Map.of("anger", 0.1))));
    }

    @Test
    void looksUpLikeATreeMap() {
        assertEquals(0.3, map.get("love"));
        assertNull(map.get("hate"));
        assertNull(map.get(42));
        assertTrue(map.containsKey("worry"));
        assertFalse(map.containsKey("Worry"));
        assertEquals(4, map.size());
        assertEquals("anger", map.firstKey());
        assertEquals("worry", map.lastKey());
        assertNull(map.comparator());
    }

    @Test
    void rangesAreThoseOfATreeMap() {
        assertEquals(tree.subMap("b", "m"), map.subMap("b", "m"));
        assertEquals(tree.headMap("love"), map.headMap("love"));
        assertEquals(tree.tailMap("love"), map.tailMap("love"));
    }

    @Test
    void isReadOnly() {
        SortedMap<String, Double> m = map;
        assertThrows(UnsupportedOperationException.class, () -> m.put("love", 1.0));
        assertThrows(UnsupportedOperationException.class, () -> m.remove("love"));
        assertThrows(UnsupportedOperationException.class, () -> m.entrySet().iterator().next().setValue(1.0));
        Iterator<String> keys = m.keySet().iterator();
        keys.next();
        assertThrows(UnsupportedOperationException.class, keys::remove);
        assertThrows(UnsupportedOperationException.class, () -> m.headMap("love").clear());
        assertThrows(UnsupportedOperationException.class, m::clear);
    }
}
