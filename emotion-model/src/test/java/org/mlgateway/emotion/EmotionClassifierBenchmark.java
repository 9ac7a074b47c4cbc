package org.mlgateway.emotion;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.classification.LabelFactory;

/**
 * Single-sentence in-process inference, as one HTTP request does it: {@code predict} (the serving path,
 * featurize + linear scores + probability map without Tribuo's per-call objects) and, for comparison,
 * {@code predictWithTribuo} (the reference path it matches bit for bit). Run:
 * mvn -q -pl emotion-model test-compile exec:exec@bench
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EmotionClassifierBenchmark {

    // Typical tweets: mentions, URL, entities, elongations; ~15 words.
    private static final String[] SENTENCES = {
        "@jazzwerewolf lol. i get about the same reaction when i mention my new goal - kona triathlon",
        "Why did i drive and how did i make it? Ahh margaritas are the BEST!!",
        "I love you so much &amp; I miss you already http://t.co/abc",
        "ugh my head hurts sooooo bad, no sleep again tonight :(",
    };

    private EmotionClassifier classifier;
    private final EmotionFeaturizer featurizer = EmotionFeaturizer.standard();
    private ImmutableFeatureMap vocabulary;
    private int next;

    @Setup
    public void load() throws IOException {
        classifier = EmotionClassifier.fromClasspath(EmotionClassifier.MODEL_RESOURCE);
        vocabulary = classifier.model().getFeatureIDMap();
    }

    /** Featurization alone (the reference path's, into a Tribuo example), to see where the time goes. */
    @Benchmark
    public Object featurize() {
        return featurizer.toExample(SENTENCES[next++ & 3], LabelFactory.UNKNOWN_LABEL, vocabulary);
    }

    @Benchmark
    public Prediction predict() {
        String s = SENTENCES[next++ & 3];
        return classifier.predict(s);
    }
}
