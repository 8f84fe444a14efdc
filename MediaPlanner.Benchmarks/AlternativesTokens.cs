using System.Globalization;
using System.Text.Json.Nodes;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Providers.OpenAI;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Benchmarks;

/// <summary>
/// Tokens of the two ways to ask a chat model for N distinct plans, counted with the app's tokenizer on realistic briefs:
/// (a) one request for a JSON object holding N labelled plans; (b) N requests, the first with the training prompt and
/// the others with one steer line more (what <see cref="OpenAIPlanProvider"/> sends). The plans are the local engine's
/// for each brief, so both designs are charged for the same answers. The strict JSON Schema is sent with every request;
/// how OpenAI bills it is not published, so it is counted as its JSON text, apart.
/// </summary>
internal static class AlternativesTokens
{
    private const int Alternatives = 3;

    public static void Run()
    {
        var counter = TokenCounter.ForModel(BenchmarkData.OpenAIBaseModel);
        var planSchema = PlanJson.Schema().ToJsonString();
        var wrappedSchema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["plans"] = new JsonObject
                {
                    ["type"] = "array", ["items"] = PlanJson.Schema(), ["minItems"] = Alternatives, ["maxItems"] = Alternatives,
                },
            },
            ["required"] = new JsonArray("plans"),
            ["additionalProperties"] = false,
        }.ToJsonString();
        var alternatives = PlanAlternatives.For(Alternatives);
        var c = CultureInfo.InvariantCulture;

        Console.WriteLine($"Tokens ({counter.Encoding}) for {Alternatives} alternatives; plan schema {counter.CountTokens(planSchema):N0} tokens as JSON text, "
                          + $"wrapped for (a) {counter.CountTokens(wrappedSchema):N0}.");
        Console.WriteLine("| Brief | (a) in | (a) out | (a) longest answer | (b) in | (b) out | (b) longest answer | (a) in + schema | (b) in + schemas |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var totals = new long[8];
        foreach (var (label, request) in Briefs())
        {
            var plans = new LocalMediaMixEngine(MediaMixParameters.Default).Generate(request, Alternatives);
            var answers = alternatives.Select((a, i) => PlanJson.Serialize(plans[Math.Min(i, plans.Count - 1)] with { StrategyName = a.Name })).ToList();

            // (a): one request, a system prompt asking for the labelled plans in order, one answer holding them all.
            var oneRequest = PromptRenderer.PromptMessages(request.Brief, request.Market).ToList();
            oneRequest[0] = new(ChatRoles.System, OneRequestSystemPrompt(alternatives));
            var aIn = Prompt(counter, oneRequest);
            var aOut = counter.CountTokens($"{{\"plans\":[{string.Join(",", answers)}]}}");

            // (b): one request per alternative, each answered with its own plan.
            var bIn = alternatives.Sum(a => Prompt(counter, PlanAlternatives.Prompt(request.Brief, request.Market, a)));
            var bOuts = answers.Select(counter.CountTokens).ToList();
            var bOut = bOuts.Sum();
            var aWithSchema = aIn + counter.CountTokens(wrappedSchema);
            var bWithSchema = bIn + Alternatives * counter.CountTokens(planSchema);

            long[] row = [aIn, aOut, aOut, bIn, bOut, bOuts.Max(), aWithSchema, bWithSchema];
            for (var i = 0; i < row.Length; i++)
                totals[i] += row[i];
            Console.WriteLine($"| {label} | {string.Join(" | ", row.Select(v => v.ToString("N0", c)))} |");
        }
        var briefs = Briefs().Count();
        Console.WriteLine($"| Mean | {string.Join(" | ", totals.Select(v => (v / (double)briefs).ToString("N0", c)))} |");

        var prices = ModelPrice.Seed.Where(p => p.Model.StartsWith("gpt-4o", StringComparison.Ordinal)).ToList();
        foreach (var price in prices)
        {
            var a = ModelCost.Of((int)totals[6], (int)totals[1], price) / briefs;
            var b = ModelCost.Of((int)totals[7], (int)totals[4], price) / briefs;
            Console.WriteLine(string.Create(c, $"{price.Model} at USD {price.InputPerMillion}/{price.OutputPerMillion} per 1M: (a) USD {a:0.00000}, (b) USD {b:0.00000} " +
                                              $"per generation, schema counted; (b) costs {(b / a) - 1:P0} more."));
        }
        Console.WriteLine($"Output cap per answer: {OpenAIPlanProvider.MaxOutputTokens:N0} tokens.");
    }

    private static int Prompt(TokenCounter counter, IEnumerable<ChatMessage> messages) =>
        messages.Sum(counter.CountMessage) + TokenCounter.ReplyPriming;

    private static string OneRequestSystemPrompt(IReadOnlyList<PlanAlternative> alternatives)
    {
        var names = string.Join(", ", alternatives.Select(a => a.Name));
        var asked = PromptRenderer.SystemPrompt.Replace(
            "return exactly one media plan as a single JSON object that matches the MediaPlan schema, with no other text.",
            $"return {alternatives.Count} distinct media plans as a single JSON object whose \"plans\" array holds them in this order, " +
            $"with these strategyName values: {names}. No other text. Every plan follows these rules:", StringComparison.Ordinal);
        return string.Join("\n", [asked, .. alternatives.Where(a => a.Steer is not null).Select(a => a.Steer!)]);
    }

    private static IEnumerable<(string Label, PlanRequest Request)> Briefs()
    {
        yield return ("Awareness, 4 channels, USD 250k", BenchmarkData.Request(BenchmarkData.DefaultChannels));
        yield return ("Conversion, search + social, USD 40k", BenchmarkData.Request([Channel.Search, Channel.Social], Objective.Conversion, 40_000m));
        yield return ("Consideration, 7 channels, USD 1.2M", BenchmarkData.Request(
            [Channel.Search, Channel.Social, Channel.OnlineVideo, Channel.Display, Channel.ConnectedTv, Channel.Podcast, Channel.OutOfHome],
            Objective.Consideration, 1_200_000m));
        yield return ("Awareness, 9 channels, USD 3M", BenchmarkData.Request(Enum.GetValues<Channel>(), Objective.Awareness, 3_000_000m));
    }
}
