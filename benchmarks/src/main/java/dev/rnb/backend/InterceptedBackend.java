package dev.rnb.backend;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * A backend over another's device parts with every memory/GEMM and model
 * operation passed through an {@link Interceptor} (StepProfile's timing). It
 * sits in dev.rnb.backend (from the benchmarks module) because the device
 * parts are protected: the front door's checks run as usual, then the
 * interceptor, then the target's part. Tensors it allocates are its own.
 */
public final class InterceptedBackend extends Backend {
    /** Called for each device-part call: {@code part} is the target's part, {@code method} the operation. */
    @FunctionalInterface
    public interface Interceptor {
        Object invoke(Object part, Method method, Object[] args) throws Throwable;
    }

    private final Backend target;
    private final DeviceMemory memory;
    private final ModelOps model;

    public InterceptedBackend(Backend target, Interceptor interceptor) {
        this.target = target;
        this.memory = intercept(DeviceMemory.class, target.memory(), interceptor);
        this.model = intercept(ModelOps.class, target.modelOps(), interceptor);
    }

    private static <T> T intercept(Class<T> type, T part, Interceptor interceptor) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> interceptor.invoke(part, method, args)));
    }

    @Override public String name() { return target.name(); }

    @Override public String describe() { return target.describe(); }

    @Override public void close() { target.close(); }

    @Override protected DeviceMemory memory() { return memory; }

    @Override protected ModelOps modelOps() { return model; }

    @Override protected ClusterOps clusterOps() { return target.clusterOps(); }

    @Override protected BalanceOps balanceOps() { return target.balanceOps(); }
}
