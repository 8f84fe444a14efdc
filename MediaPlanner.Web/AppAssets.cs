using Microsoft.Extensions.FileProviders;

namespace MediaPlanner.Web;

/// <summary>
/// Serves the app's own static assets (theme CSS, logo, favicon) from the top-level wwwroot-assets folder:
/// the source folder when running from the repository, so edits show on reload; otherwise the copy the build
/// puts beside the binaries. Runs before authentication, so the sign-in page can use them.
/// </summary>
public static class AppAssets
{
    public const string FolderName = "wwwroot-assets";

    public static string Locate(IWebHostEnvironment environment)
    {
        var source = Path.GetFullPath(Path.Combine(environment.ContentRootPath, "..", FolderName));
        return Directory.Exists(source) ? source : Path.Combine(AppContext.BaseDirectory, FolderName);
    }

    public static IApplicationBuilder UseAppAssets(this WebApplication app) =>
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(Locate(app.Environment)),
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "public, max-age=3600",
        });
}
