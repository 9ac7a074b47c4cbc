package org.mlgateway.emotion;

import java.util.Iterator;
import java.util.List;
import org.tribuo.DataSource;
import org.tribuo.Example;
import org.tribuo.OutputFactory;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.data.text.TextFeatureExtractor;
import org.tribuo.provenance.DataSourceProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Tribuo data source over labelled rows: featurizes each row with a Tribuo text feature extractor (the
 * shared {@link EmotionFeaturizer}), and names its origin (file, SHA-256, split) in the provenance stored
 * inside the model.
 */
public final class EmotionDataSource implements DataSource<Label> {

    private static final LabelFactory LABELS = new LabelFactory();

    private final List<LabeledText> rows;
    private final TextFeatureExtractor<Label> featurizer;
    private final String description;

    public EmotionDataSource(List<LabeledText> rows, TextFeatureExtractor<Label> featurizer, String description) {
        this.rows = rows;
        this.featurizer = featurizer;
        this.description = description;
    }

    @Override
    public Iterator<Example<Label>> iterator() {
        Iterator<LabeledText> it = rows.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Example<Label> next() {
                LabeledText row = it.next();
                return featurizer.extract(LABELS.generateOutput(row.label()), row.text());
            }
        };
    }

    @Override
    public OutputFactory<Label> getOutputFactory() {
        return LABELS;
    }

    /** The creation time is fixed ({@link TrainEmotionModel#PROVENANCE_TIME}): a model file depends on the data, not the clock. */
    @Override
    public DataSourceProvenance getProvenance() {
        return new SimpleDataSourceProvenance(description, TrainEmotionModel.PROVENANCE_TIME, LABELS);
    }
}
