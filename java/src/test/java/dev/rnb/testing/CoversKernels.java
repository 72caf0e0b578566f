package dev.rnb.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the cuda/ kernels a test class runs under the emulated backend;
 * KernelCoverageTest fails when a kernel of cuda/ is named by no test.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface CoversKernels {
    String[] value();
}
