#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
// A read-only OCI distribution (v2) registry on loopback serving one OCI image layout folder: enough for the SDK's
// PublishContainer to pull a base image where no public registry is reachable. Usage: LocalRegistry.cs <layout> <url>
using System.Text.Json;

var layout = Path.GetFullPath(args[0]);
var app = WebApplication.CreateSlimBuilder().Build();
app.Urls.Add(args[1]);

app.MapMethods("/v2/", ["GET", "HEAD"], () => Results.Text("{}", "application/json"));
app.MapMethods("/v2/{**path}", ["GET", "HEAD"], (string path, HttpContext context) =>
{
    var parts = path.Split('/');
    if (parts.Length < 3)
        return Results.NotFound();
    var (kind, reference) = (parts[^2], parts[^1]);
    var digest = kind == "manifests" && !reference.StartsWith("sha256:") ? TagDigest(reference) : reference;
    if (kind is not ("manifests" or "blobs") || digest is null)
        return Results.NotFound();
    var file = Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
    if (!digest.StartsWith("sha256:") || digest.Contains('/') || !File.Exists(file))
        return Results.NotFound();
    context.Response.Headers["Docker-Content-Digest"] = digest;
    var type = kind == "manifests" ? MediaType(file) : "application/octet-stream";
    return Results.File(file, type);
});
app.Run();

string? TagDigest(string tag)
{
    using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json")));
    return index.RootElement.GetProperty("manifests").EnumerateArray()
        .Where(m => m.TryGetProperty("annotations", out var a)
            && a.TryGetProperty("org.opencontainers.image.ref.name", out var name) && name.GetString() == tag)
        .Select(m => m.GetProperty("digest").GetString()).FirstOrDefault();
}

static string MediaType(string file)
{
    using var manifest = JsonDocument.Parse(File.ReadAllText(file));
    return manifest.RootElement.GetProperty("mediaType").GetString()!;
}
