using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;

namespace MediaPlanner.Domain.Training;

/// <summary>One line of a JSONL file: its text, or why it could not be read (too long, not UTF-8).</summary>
public readonly record struct JsonlLine(int Number, string? Text, string? Error);

/// <summary>
/// Splits a stream into lines as bytes, so a line is decoded only once it is known to be under the cap: a longer one is
/// skipped to its newline without being kept, and reported by number. A UTF-8 byte order mark at the start of the file is
/// dropped; invalid UTF-8 inside a line is that line's error, never replaced.
/// </summary>
public static class JsonlLineReader
{
    public const string TooLongCode = "line_too_long";
    public const string InvalidUtf8Code = "invalid_encoding";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    public static async IAsyncEnumerable<JsonlLine> ReadAsync(Stream input, int maxLineBytes, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var reader = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        var number = 0;
        var atStart = true;
        // The bytes of an over-long line seen so far while skipping it; -1 when not skipping.
        long skipping = -1;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(ct);
                var buffer = result.Buffer;
                if (atStart)
                {
                    if (buffer.Length < Bom.Length && !result.IsCompleted)
                    {
                        reader.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    }
                    if (StartsWithBom(buffer))
                        buffer = buffer.Slice(Bom.Length);
                    atStart = false;
                }
                while (buffer.PositionOf((byte)'\n') is { } newline)
                {
                    var line = buffer.Slice(0, newline);
                    buffer = buffer.Slice(buffer.GetPosition(1, newline));
                    number++;
                    if (skipping >= 0)
                    {
                        yield return TooLong(number, skipping + line.Length, maxLineBytes);
                        skipping = -1;
                    }
                    else
                        yield return Decode(number, line, maxLineBytes);
                }
                // No newline in what is left: once it is over the cap, stop keeping it and only count it.
                if (skipping >= 0 || buffer.Length > maxLineBytes + 1)
                {
                    skipping = Math.Max(skipping, 0) + buffer.Length;
                    buffer = buffer.Slice(buffer.End);
                }
                if (result.IsCompleted)
                {
                    if (skipping >= 0)
                        yield return TooLong(++number, skipping, maxLineBytes);
                    else if (buffer.Length > 0)
                        yield return Decode(++number, buffer, maxLineBytes);
                    break;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private static bool StartsWithBom(ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < Bom.Length)
            return false;
        Span<byte> head = stackalloc byte[3];
        buffer.Slice(0, Bom.Length).CopyTo(head);
        return head.SequenceEqual(Bom);
    }

    private static JsonlLine Decode(int number, ReadOnlySequence<byte> line, int maxLineBytes)
    {
        if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
            line = line.Slice(0, line.Length - 1);
        if (line.Length > maxLineBytes)
            return TooLong(number, line.Length, maxLineBytes);
        var bytes = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        try
        {
            return new(number, StrictUtf8.GetString(bytes), null);
        }
        catch (DecoderFallbackException)
        {
            var at = FirstInvalidByte(bytes);
            return new(number, null, string.Create(CultureInfo.InvariantCulture,
                $"{InvalidUtf8Code}: Line {number} is not valid UTF-8 (byte 0x{bytes[at]:X2} at position {at + 1} of the line)."));
        }
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length && Rune.DecodeFromUtf8(bytes[i..], out _, out var consumed) == OperationStatus.Done)
            i += consumed;
        return Math.Min(i, bytes.Length - 1);
    }

    private static JsonlLine TooLong(int number, long bytes, int maxLineBytes) =>
        new(number, null, $"{TooLongCode}: Line {number} is {Size(bytes)}; the limit is {Size(maxLineBytes)} (Training:MaxImportLineBytes).");

    /// <summary>A byte count as people read it: 1 GB, 150 MB, 1 MB, 2.5 KB, 12 bytes.</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1024 * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.#} GB"),
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
