package org.mlgateway.api;

/** A request the API refuses: carries the HTTP status and the JSON error to send back. */
public class ApiException extends RuntimeException {

    private final int status;
    private final ApiError body;

    public ApiException(int status, String error, String message) {
        super(error + ": " + message, null, false, false); // no stack trace: this is a client error, not a fault
        this.status = status;
        this.body = new ApiError(error, message);
    }

    public int status() {
        return status;
    }

    public ApiError body() {
        return body;
    }
}
