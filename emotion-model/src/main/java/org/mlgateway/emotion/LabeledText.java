package org.mlgateway.emotion;

/** One row of a {@code label,text} file. */
public record LabeledText(String label, String text) {}
