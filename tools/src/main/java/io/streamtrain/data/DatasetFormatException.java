package io.streamtrain.data;

/** A dataset file that does not have the format it claims: names the file, the place and what was wrong. */
public class DatasetFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DatasetFormatException(String message) {
        super(message);
    }
}
