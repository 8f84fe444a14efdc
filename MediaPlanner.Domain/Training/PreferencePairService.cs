using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using MediaPlanner.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace MediaPlanner.Domain.Training;

/// <summary>
/// How many preference pairs there are. <see cref="Usable"/> pairs (their chosen plan's example validated) are the
/// ones exported; <see cref="Pending"/> ones wait for that review, <see cref="Excluded"/> ones had it rejected.
/// </summary>
public sealed record PreferencePairCounts(int Total, int Usable, int Pending, int Excluded);

/// <summary>Counts planners' preference pairs and exports the usable ones as OpenAI preference (DPO) JSONL, streamed.</summary>
public sealed class PreferencePairService(IDbContextFactory<PlannerDbContext> dbFactory)
{
    // JSONL is never embedded in HTML, so the relaxed encoder is safe here and keeps non-ASCII text readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public async Task<PreferencePairCounts> CountsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var total = await db.PreferencePairs.CountAsync(ct);
        var byStatus = await db.PreferencePairs
            .Join(db.TrainingExamples, p => p.ExampleId, e => (int?)e.Id, (p, e) => e.Status)
            .GroupBy(s => s)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToListAsync(ct);
        int Count(ExampleStatus status) => byStatus.SingleOrDefault(x => x.Key == status)?.Count ?? 0;
        return new PreferencePairCounts(total, Count(ExampleStatus.Validated), Count(ExampleStatus.PendingReview), Count(ExampleStatus.Rejected));
    }

    /// <summary>
    /// Writes the usable pairs as JSONL, one at a time in id order: memory stays flat whatever the count.
    /// Returns how many lines were written.
    /// </summary>
    public Task<int> ExportAsync(Stream output, CancellationToken ct = default) => ExportAsync(output, anonymise: false, ct);

    /// <summary>The export, with client names replaced by placeholders in each pair when <paramref name="anonymise"/> is set.</summary>
    public async Task<int> ExportAsync(Stream output, bool anonymise, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var newline = "\n"u8.ToArray();
        var count = 0;
        var buffer = new ArrayBufferWriter<byte>(4096);
        await using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        await foreach (var row in UsableAsync(ct))
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            Write(writer, row.InputJson, row.PreferredContent, row.NonPreferredContent);
            writer.Flush();
            if (anonymise)
                await output.WriteAsync(System.Text.Encoding.UTF8.GetBytes(Anonymiser.AnonymiseLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan))), ct);
            else
                await output.WriteAsync(buffer.WrittenMemory, ct);
            await output.WriteAsync(newline, ct);
            count++;
        }
        await output.FlushAsync(ct);
        return count;
    }

    /// <summary>The same lines as <see cref="ExportAsync"/>, without newlines, for the fine-tuning runner.</summary>
    public async Task<IReadOnlyList<string>> ExportLinesAsync(CancellationToken ct = default)
    {
        var lines = new List<string>();
        await foreach (var row in UsableAsync(ct))
            lines.Add(ToJsonLine(row.InputJson, row.PreferredContent, row.NonPreferredContent));
        return lines;
    }

    /// <summary>One preference line: the prompt, the chosen plan as the preferred answer, the passed-over one as the other.</summary>
    public static string ToJsonLine(string inputJson, string preferredContent, string nonPreferredContent)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            Write(writer, inputJson, preferredContent, nonPreferredContent);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, string inputJson, string preferredContent, string nonPreferredContent)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("input");
        // Parsed and rewritten rather than copied raw, so the line carries exactly the chat shape whatever the stored spacing.
        ChatExample.Parse(inputJson).Write(writer);
        WriteAnswer(writer, "preferred_output", preferredContent);
        WriteAnswer(writer, "non_preferred_output", nonPreferredContent);
        writer.WriteEndObject();
    }

    private static void WriteAnswer(Utf8JsonWriter writer, string name, string content)
    {
        writer.WriteStartArray(name);
        writer.WriteStartObject();
        writer.WriteString("role", ChatRoles.Assistant);
        writer.WriteString("content", content);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    private sealed record PairRow(string InputJson, string PreferredContent, string NonPreferredContent);

    /// <summary>
    /// Pairs whose chosen plan's example a reviewer validated, by id. A rejected example takes its pairs out with it, and a
    /// pending one keeps them out until it is reviewed: a planner's click alone is not yet training data.
    /// </summary>
    private async IAsyncEnumerable<PairRow> UsableAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = db.PreferencePairs.AsNoTracking()
            .Where(p => db.TrainingExamples.Any(e => e.Id == p.ExampleId && e.Status == ExampleStatus.Validated))
            .OrderBy(p => p.Id)
            .Select(p => new PairRow(p.InputJson, p.PreferredContent, p.NonPreferredContent))
            .AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(ct))
            yield return row;
    }
}
