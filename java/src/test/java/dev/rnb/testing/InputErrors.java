package dev.rnb.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The error contract of the input readers, checked by their fuzz targets: bad
 * input is reported in one line that names the file (and the line, where
 * there is one) and then says what is wrong, because that line is all a user
 * of {@code rnb} sees.
 */
public final class InputErrors {
    private InputErrors() {}

    /**
     * Asserts that {@code e}'s message starts with {@code where}, says more after
     * it, is one line, and does not end in the "null" of a wrapped exception
     * that had no message.
     */
    public static void assertOneLine(String where, Exception e) {
        String m = e.getMessage();
        assertNotNull(m, () -> "no message: " + e);
        assertTrue(m.startsWith(where) && m.length() > where.length(), () -> "does not start with " + where + ": " + m);
        assertEquals(-1, m.indexOf('\n'), () -> "two lines: " + m);
        assertEquals(-1, m.indexOf('\r'), () -> "carriage return: " + m);
        assertFalse(m.endsWith(": null"), () -> "says nothing: " + m);
    }
}
