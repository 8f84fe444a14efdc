using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MediaPlanner.Domain.Training;

/// <summary>
/// Which examples go to the validation file. Decided by a hash of the example id and a seed, so an example stays on
/// the same side across exports, processes and machines (string.GetHashCode is randomised per process).
/// </summary>
public static class TrainingSplit
{
    public static bool IsValidation(long exampleId, int validationPercent, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(validationPercent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(validationPercent, 100);

        Span<byte> input = stackalloc byte[12];
        BinaryPrimitives.WriteInt64LittleEndian(input, exampleId);
        BinaryPrimitives.WriteInt32LittleEndian(input[8..], seed);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash) % 100 < (ulong)validationPercent;
    }
}
