using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Astro.Trees.Native;

/// <summary>P/Invoke declarations of the LightGBM 4.7.0 C API (c_api.h) that training, prediction and export use.</summary>
/// <remarks>Every function returns 0 on success and -1 on failure, with the message in <see cref="LGBM_GetLastError"/>.</remarks>
internal static partial class LightGbmNative
{
    private const string Library = "lib_lightgbm";

    public const int DTypeFloat32 = 0;
    public const int DTypeFloat64 = 1;
    public const int PredictNormal = 0;
    public const int ImportanceSplit = 0;
    public const int ImportanceGain = 1;

    [LibraryImport(Library)]
    public static partial IntPtr LGBM_GetLastError();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int LGBM_DatasetCreateFromMat(float* data, int dataType, int rows, int columns, int isRowMajor,
        string parameters, IntPtr reference, out DatasetSafeHandle handle);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int LGBM_DatasetSetField(DatasetSafeHandle handle, string fieldName, float* data, int count, int dataType);

    [LibraryImport(Library)]
    public static unsafe partial int LGBM_DatasetSetFeatureNames(DatasetSafeHandle handle, IntPtr* names, int count);

    [LibraryImport(Library)]
    public static partial int LGBM_DatasetFree(IntPtr handle);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_BoosterCreate(DatasetSafeHandle trainData, string parameters, out BoosterSafeHandle handle);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterAddValidData(BoosterSafeHandle handle, DatasetSafeHandle validData);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterUpdateOneIter(BoosterSafeHandle handle, out int isFinished);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterGetEvalCounts(BoosterSafeHandle handle, out int count);

    [LibraryImport(Library)]
    public static unsafe partial int LGBM_BoosterGetEval(BoosterSafeHandle handle, int dataIndex, out int count, double* results);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int LGBM_BoosterPredictForMat(BoosterSafeHandle handle, float* data, int dataType, int rows, int columns,
        int isRowMajor, int predictType, int startIteration, int numIteration, string parameters, out long outLength, double* results);

    [LibraryImport(Library)]
    public static unsafe partial int LGBM_BoosterSaveModelToString(BoosterSafeHandle handle, int startIteration, int numIteration,
        int featureImportanceType, long bufferLength, out long outLength, byte* buffer);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_BoosterLoadModelFromString(string model, out int iterations, out BoosterSafeHandle handle);

    [LibraryImport(Library)]
    public static unsafe partial int LGBM_BoosterFeatureImportance(BoosterSafeHandle handle, int numIteration, int importanceType, double* results);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterGetNumFeature(BoosterSafeHandle handle, out int count);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterGetNumClasses(BoosterSafeHandle handle, out int count);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterGetCurrentIteration(BoosterSafeHandle handle, out int iteration);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterFree(IntPtr handle);

    /// <summary>Throws <see cref="LightGbmException"/> with LightGBM's last error message when <paramref name="result"/> is not 0.</summary>
    public static void Check(int result, string operation)
    {
        if (result != 0)
        {
            string message = Marshal.PtrToStringUTF8(LGBM_GetLastError()) ?? "unknown error";
            throw new LightGbmException($"LightGBM {operation} failed: {message}");
        }
    }
}

/// <summary>Owns a LightGBM <c>DatasetHandle</c>; freed with <c>LGBM_DatasetFree</c>.</summary>
internal sealed class DatasetSafeHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public DatasetSafeHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle() => LightGbmNative.LGBM_DatasetFree(handle) == 0;
}

/// <summary>Owns a LightGBM <c>BoosterHandle</c>; freed with <c>LGBM_BoosterFree</c>.</summary>
internal sealed class BoosterSafeHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public BoosterSafeHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle() => LightGbmNative.LGBM_BoosterFree(handle) == 0;
}
