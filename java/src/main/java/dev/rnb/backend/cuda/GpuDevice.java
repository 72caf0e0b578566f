package dev.rnb.backend.cuda;

import dev.rnb.backend.DeviceMemoryException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

import static jcuda.driver.JCudaDriver.*;

/**
 * A real GPU through the JCuda driver API: the device's primary context (so
 * cuBLAS shares it), the module loaded from the fatbin in the jar, and
 * cuLaunchKernel for our kernels. Needs only the driver's libcuda.so.1.
 */
public final class GpuDevice implements CudaDevice {
    static final String FATBIN_RESOURCE = "/dev/rnb/backend/cuda/rnb_kernels.fatbin";

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final String deviceName;
    private final DeviceBlas blas;

    /** Opens device {@code ordinal}; throws {@link CudaException} when there is none or no fatbin. */
    public GpuDevice(int ordinal) {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] count = {0};
        cuDeviceGetCount(count);
        if (count[0] <= ordinal) {
            throw new CudaException("no CUDA device " + ordinal + " (" + count[0] + " found)");
        }
        byte[] fatbin = readFatbin();
        int[] driver = {0};
        cuDriverGetVersion(driver);
        String builtWith = FatbinDriverRequirement.builtWith();
        FatbinDriverRequirement.check(driver[0], builtWith);
        cuDeviceGet(device, ordinal);
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        try {
            cuModuleLoadData(module, fatbin);
        } catch (jcuda.CudaException e) {
            throw new CudaException("loading the fatbin (built by CUDA " + builtWith + ") with a driver for CUDA "
                    + FatbinDriverRequirement.driverString(driver[0]) + " failed: " + e.getMessage());
        }
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        this.deviceName = new String(name).trim();
        this.blas = CublasLoader.open();
    }

    private static byte[] readFatbin() {
        try (InputStream in = GpuDevice.class.getResourceAsStream(FATBIN_RESOURCE)) {
            if (in == null) {
                throw new CudaException("no " + FATBIN_RESOURCE + " in the jar: it was built without nvcc");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CudaException("cannot read the fatbin", e);
        }
    }

    /** The driver binds contexts per thread; every entry point makes ours current. */
    private void current() {
        cuCtxSetCurrent(context);
    }

    static CUdeviceptr at(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    @Override
    public String describe() {
        int[] driver = {0};
        cuDriverGetVersion(driver);
        return "cuda: " + deviceName + ", driver API " + driver[0] / 1000 + "." + (driver[0] % 1000) / 10 + "; " + blas.describe();
    }

    @Override
    public long alloc(long bytes) {
        current();
        AddressedDevicePointer p = new AddressedDevicePointer();
        try {
            cuMemAlloc(p, Math.max(1, bytes));
        } catch (jcuda.CudaException e) {
            if (String.valueOf(e.getMessage()).contains("CUDA_ERROR_OUT_OF_MEMORY")) {
                throw new DeviceMemoryException("cuda", bytes, "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY");
            }
            throw e;
        }
        return p.address();
    }

    @Override
    public void free(long address) {
        current();
        cuMemFree(at(address));
    }

    @Override
    public void copyToDevice(long dst, float[] src, int srcOffset, int length) {
        current();
        cuMemcpyHtoD(at(dst), Pointer.to(src).withByteOffset((long) srcOffset * Float.BYTES), (long) length * Float.BYTES);
    }

    @Override
    public void copyToDevice(long dst, int[] src, int srcOffset, int length) {
        current();
        cuMemcpyHtoD(at(dst), Pointer.to(src).withByteOffset((long) srcOffset * Integer.BYTES), (long) length * Integer.BYTES);
    }

    @Override
    public void copyToHost(float[] dst, int dstOffset, long src, int length) {
        current();
        cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) dstOffset * Float.BYTES), at(src), (long) length * Float.BYTES);
    }

    @Override
    public void copyToHost(int[] dst, int dstOffset, long src, int length) {
        current();
        cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) dstOffset * Integer.BYTES), at(src), (long) length * Integer.BYTES);
    }

    @Override
    public void memsetZero(long dst, long bytes) {
        current();
        cuMemsetD8(at(dst), (byte) 0, bytes);
    }

    @Override
    public void copyDeviceToDevice(long dst, long src, long bytes) {
        current();
        cuMemcpyDtoD(at(dst), at(src), bytes);
    }

    @Override
    public void launch(String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, KernelArgs args) {
        current();
        CUfunction fn = functions.computeIfAbsent(kernel, name -> {
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, module, name);
            return f;
        });
        Pointer[] params = new Pointer[args.size()];
        for (int i = 0; i < params.length; i++) {
            params[i] = switch (args.kind(i)) {
                case POINTER, LONG -> Pointer.to(new long[] {args.bits(i)});
                case INT, FLOAT -> Pointer.to(new int[] {(int) args.bits(i)});
            };
        }
        cuLaunchKernel(fn, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                dynamicSharedBytes, null, Pointer.to(params), null);
    }

    @Override
    public void synchronize() {
        current();
        cuCtxSynchronize();
    }

    @Override public DeviceBlas blas() { return blas; }

    @Override
    public void close() {
        current();
        blas.close();
        cuModuleUnload(module);
        cuDevicePrimaryCtxRelease(device);
    }

    /** cuMemAlloc fills the native pointer; the subclass may read it back. */
    private static final class AddressedDevicePointer extends CUdeviceptr {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }
}
