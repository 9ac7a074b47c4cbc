package org.mlgateway.emotion;

import java.io.Serializable;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A read-only label → probability map over two arrays: the labels (sorted, shared by every answer) and
 * the probabilities. Why not a TreeMap: building one (13 puts, 26 objects) was about a tenth of a fast
 * prediction. It is a {@link SortedMap} and equals, hashes and prints like any map with these entries,
 * so a TreeMap with the same contents is {@code equals} to it.
 */
final class LabelProbabilities extends AbstractMap<String, Double> implements SortedMap<String, Double>, Serializable {

    private static final long serialVersionUID = 1L;

    private final String[] labels;
    private final double[] probabilities;

    /** @param labels sorted, distinct, not copied; {@code probabilities[i]} is the probability of {@code labels[i]} */
    LabelProbabilities(String[] labels, double[] probabilities) {
        this.labels = labels;
        this.probabilities = probabilities;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public Double get(Object key) {
        int i = indexOf(key);
        return i >= 0 ? probabilities[i] : null;
    }

    private int indexOf(Object key) {
        return key instanceof String ? Arrays.binarySearch(labels, key) : -1;
    }

    @Override
    public Set<Entry<String, Double>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Double>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < labels.length;
                    }

                    @Override
                    public Entry<String, Double> next() {
                        if (next >= labels.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(labels[i], probabilities[i]);
                    }
                };
            }

            @Override
            public int size() {
                return labels.length;
            }
        };
    }

    /** Natural order of the labels, as a TreeMap without comparator. */
    @Override
    public Comparator<? super String> comparator() {
        return null;
    }

    @Override
    public String firstKey() {
        if (labels.length == 0) {
            throw new NoSuchElementException();
        }
        return labels[0];
    }

    @Override
    public String lastKey() {
        if (labels.length == 0) {
            throw new NoSuchElementException();
        }
        return labels[labels.length - 1];
    }

    // Ranges are rare (the API serialises the whole map): a read-only view of a TreeMap copy.
    @Override
    public SortedMap<String, Double> subMap(String fromKey, String toKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).subMap(fromKey, toKey));
    }

    @Override
    public SortedMap<String, Double> headMap(String toKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).headMap(toKey));
    }

    @Override
    public SortedMap<String, Double> tailMap(String fromKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).tailMap(fromKey));
    }
}
