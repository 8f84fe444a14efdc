using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MediaPlanner.Tests.Fakes;

public sealed class FakeFile
{
    public required string Id { get; init; }
    public required string Filename { get; init; }
    public required string Purpose { get; init; }
    public required string Content { get; init; }
    /// <summary>The file exactly as uploaded (a byte-order mark included), where <see cref="Content"/> is the decoded text.</summary>
    public byte[] Bytes { get; init; } = [];
    public long CreatedAt { get; init; }

    public int Lines => Content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
}

/// <summary><c>POST /v1/files</c>: multipart uploads kept in memory, with OpenAI's answers to a wrong purpose or a missing file.</summary>
public sealed partial class FakeOpenAIServer
{
    private async Task<IResult> UploadAsync(HttpContext ctx)
    {
        if (!ctx.Request.HasFormContentType)
            return Error(400, null, "Expected a multipart/form-data body.", null);
        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        var purpose = form["purpose"].ToString();
        if (purpose is not ("fine-tune" or "batch" or "assistants" or "vision" or "user_data" or "evals"))
            return Error(400, null, $"'{purpose}' is not one of ['fine-tune', 'assistants', 'batch', 'user_data', 'vision', 'evals'] - 'purpose'", "purpose");
        if (form.Files.GetFile("file") is not { } upload)
            return Error(400, null, "Missing file", "file");
        using var raw = new MemoryStream();
        await upload.CopyToAsync(raw, ctx.RequestAborted);
        var bytes = raw.ToArray();
        string content;
        using (var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8))
            content = await reader.ReadToEndAsync(ctx.RequestAborted);
        var file = new FakeFile { Id = $"file-{NextId()}", Filename = upload.FileName, Purpose = purpose, Content = content, Bytes = bytes, CreatedAt = Now() };
        lock (_state)
            _files[file.Id] = file;
        return Json(new JsonObject
        {
            ["object"] = "file",
            ["id"] = file.Id,
            ["purpose"] = file.Purpose,
            ["filename"] = file.Filename,
            ["bytes"] = Encoding.UTF8.GetByteCount(content),
            ["created_at"] = file.CreatedAt,
            ["expires_at"] = null,
            ["status"] = "processed",
            ["status_details"] = null,
        });
    }
}
