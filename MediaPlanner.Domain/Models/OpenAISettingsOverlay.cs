using MediaPlanner.Domain.Providers.OpenAI;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace MediaPlanner.Domain.Models;

/// <summary>
/// Puts the saved provider settings over the configured OpenAI options (named default options only), and tells
/// <see cref="IOptionsMonitor{OpenAIOptions}"/> (and the client factory) when the saved settings change, so they apply
/// without a restart.
/// </summary>
internal sealed class OpenAISettingsOverlay(SettingsStore store, ProviderSettingsService provider)
    : IPostConfigureOptions<OpenAIOptions>, IOptionsChangeTokenSource<OpenAIOptions>
{
    public string Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => store.GetChangeToken();

    public void PostConfigure(string? name, OpenAIOptions options)
    {
        if (name == Options.DefaultName)
            provider.ApplyTo(options);
    }
}
