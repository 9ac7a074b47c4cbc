package org.mlgateway.api;

/** The one error body of the API: a short machine-readable code and what the client should fix. */
public record ApiError(String error, String message) {}
