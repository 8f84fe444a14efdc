using System.Diagnostics;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Models;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Telemetry;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaPlanner.Tests.Telemetry;

/// <summary>Real generations (the local engine, and OpenAI against the fake server) as metrics and traces.</summary>
public sealed class GenerationTelemetryTests : FakeOpenAIAppTests
{
    private const string FineTuned = "ft:gpt-4o-mini-2024-07-18:mediaplanner:otel:abc123";
    private const string Generations = "mediaplanner.plan.generations";
    private const string Duration = "mediaplanner.plan.generation.duration";
    private CurrentUser _planner = default!;
    private MetricRecorder _metrics = default!;

    protected override MediaPlannerFactory CreateApp() => new TracedFactory();

    private TracedFactory Traced => (TracedFactory)App;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _planner = await App.DemoUserAsync("planner@demo.local");
        await DeployFineTunedAsync(FineTuned);
        _metrics = new MetricRecorder(App.Services);
    }

    private async Task<int> BriefAsync()
    {
        using var scope = App.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<BriefService>().CreateAsync(TestBriefs.Input("Telemetry Co", budget: 80_000m, channels: [Channel.Search, Channel.Social, Channel.Display],
            text: "Reach adults 25-54 with a steady weekly presence before the summer."), _planner)).Value;
    }

    private async Task<ColumnResult> ColumnAsync(int briefId, ModelTarget target, CurrentUser user)
    {
        using var scope = App.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<PlanGenerator>().GenerateColumnAsync(briefId, user, target, ModelRole.Base,
            SelectionStrategy.Auto, "Test.", Guid.NewGuid(), 1, CancellationToken.None);
    }

    [Fact]
    public async Task A_local_generation_records_one_ok_generation_with_its_provider_role_and_latency_and_no_cost()
    {
        var briefId = await BriefAsync();

        var column = await ColumnAsync(briefId, new ModelTarget(LocalPlanProvider.ProviderName, "local-mix-v1"), Admin);

        Assert.True(column.Succeeded, column.Error);
        var generation = Assert.Single(_metrics.Of(Generations));
        Assert.Equal(("local", column.Model, "base", "admin", "ok"),
            (generation["provider"], generation["model"], generation["model.role"], generation["user.role"], generation["outcome"]));
        var latency = Assert.Single(_metrics.Of(Duration));
        Assert.InRange(latency.Value, 0, column.LatencyMs / 1000 + 0.001);
        Assert.Equal("ok", latency["outcome"]);
        Assert.Empty(_metrics.Of("mediaplanner.plan.cost"));
        Assert.DoesNotContain(generation.Tags.Values, v => v == _planner.Id || v == Admin.Id);
    }

    [Fact]
    public async Task A_hosted_generation_records_its_tokens_and_its_cost_in_USD_as_the_call_was_priced()
    {
        var briefId = await BriefAsync();

        var column = await ColumnAsync(briefId, new ModelTarget("openai", BaseModel), _planner);

        Assert.True(column.Succeeded, column.Error);
        var generation = Assert.Single(_metrics.Of(Generations));
        Assert.Equal(("openai", BaseModel, "planner", "ok"), (generation["provider"], generation["model"], generation["user.role"], generation["outcome"]));
        Assert.Equal(column.InputTokens, _metrics.Sum("mediaplanner.plan.tokens", r => r["token.type"] == "input"));
        Assert.Equal(column.OutputTokens, _metrics.Sum("mediaplanner.plan.tokens", r => r["token.type"] == "output"));
        Assert.True(column.Cost > 0);
        Assert.Equal((double)column.Cost, _metrics.Sum("mediaplanner.plan.cost"), 9);
    }

    [Fact]
    public async Task A_failed_provider_call_records_outcome_failed_with_the_tokens_it_still_used()
    {
        var briefId = await BriefAsync();
        FakeServer.Chat.AnswerBadly();
        FakeServer.Chat.ReportUsage((100, 50), (120, 60));

        var column = await ColumnAsync(briefId, new ModelTarget("openai", BaseModel), _planner);

        Assert.False(column.Succeeded);
        var generation = Assert.Single(_metrics.Of(Generations));
        Assert.Equal("failed", generation["outcome"]);
        Assert.Equal("failed", Assert.Single(_metrics.Of(Duration))["outcome"]);
        Assert.Equal(220, _metrics.Sum("mediaplanner.plan.tokens", r => r["token.type"] == "input"));
    }

    [Fact]
    public async Task When_the_fine_tuned_model_fails_its_call_counts_as_failed_and_the_base_models_answer_as_fallback()
    {
        using (var scope = App.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<SelectionSettingsService>()
                .SaveSelectionAsync(SelectionSettings.Default with { Strategy = SelectionStrategy.FineTunedOnly }, Admin);
        FakeServer.Chat.UnknownModels.Add(FineTuned);
        var briefId = await BriefAsync();
        using var root = TracedFactory.TestSource.StartActivity("test")!;

        using (var scope = App.Services.CreateScope())
            Assert.NotEmpty(await scope.ServiceProvider.GetRequiredService<PlanGenerator>().GenerateAsync(briefId, _planner));

        var outcomes = _metrics.Of(Generations).Select(g => (g["model.role"], g["model"], g["outcome"])).ToList();
        Assert.Equal([("fine_tuned", FineTuned, "failed"), ("base", BaseModel, "fallback")], outcomes);
        var spans = await Traced.SpansAsync(root.TraceId, s => s.Count(a => a.OperationName == PlannerTracing.ProviderCallSpan) == 2);
        var failed = spans.Single(s => s.OperationName == PlannerTracing.ProviderCallSpan && s.GetTagItem("model.role") as string == "fine_tuned");
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal("model_not_found", failed.GetTagItem("error.type"));
        Assert.Contains(failed.Events, e => e.Name == "exception");
    }

    [Fact]
    public async Task A_side_by_side_generate_is_one_trace_of_generate_then_a_provider_call_per_column_then_its_HTTP_calls_without_the_API_key()
    {
        var briefId = await BriefAsync();
        using var root = TracedFactory.TestSource.StartActivity("test")!;

        using (var scope = App.Services.CreateScope())
        {
            var run = await scope.ServiceProvider.GetRequiredService<PlanGenerator>().GenerateSideBySideAsync(briefId, _planner);
            Assert.All(await Task.WhenAll(run.Primary, run.Comparison!), r => Assert.True(r.Succeeded, r.Error));
        }

        var spans = await Traced.SpansAsync(root.TraceId, s => s.Any(a => a.OperationName == PlannerTracing.GenerateSpan));
        var generate = Assert.Single(spans, s => s.OperationName == PlannerTracing.GenerateSpan);
        Assert.Equal(root.SpanId, generate.ParentSpanId);
        var calls = spans.Where(s => s.OperationName == PlannerTracing.ProviderCallSpan).ToList();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal(generate.SpanId, c.ParentSpanId));
        Assert.Equal(["base", "fine_tuned"], calls.Select(c => c.GetTagItem("model.role") as string).Order());
        var http = spans.Where(s => s.Kind == ActivityKind.Client && s.Source.Name == "System.Net.Http").ToList();
        // Each column asks for its alternatives in calls of its own, each an HTTP span under that column's provider call.
        Assert.All(calls, c => Assert.Contains(http, h => h.ParentSpanId == c.SpanId && h.GetTagItem("url.full") is string url && url.Contains("/chat/completions")));
        Assert.All(spans.SelectMany(s => s.TagObjects), tag => Assert.DoesNotContain(FakeOpenAIServer.DefaultApiKey, tag.Value?.ToString() ?? ""));
    }

    public override async Task DisposeAsync()
    {
        _metrics.Dispose();
        await base.DisposeAsync();
    }
}
