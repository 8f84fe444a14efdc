using System.Text;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Markets;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Fakes;
using MediaPlanner.Tests.Infrastructure;
using static MediaPlanner.Tests.FineTuning.OpenAIFineTuneBackendTests;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>A hosted job's uploads with anonymisation on: the fake provider receives placeholders, and the job's events say so.</summary>
public sealed class AnonymisedUploadTests(FakeOpenAIServer server) : HostedProviderTests(server, TimeSpan.FromSeconds(30))
{
    private static readonly CurrentUser Admin = new("admin-1", IsAdmin: true);

    /// <summary>App-rendered examples whose brand is also in the brief's free text and the plan's rationale.</summary>
    private static List<string> Lines(string part, int count) =>
    [
        .. Enumerable.Range(1, count).Select(i =>
        {
            var brief = TestData.Brief(budget: 50_000m + 1_000m * i);
            brief.Brand = $"Fabrikam {part} {i}";
            brief.BriefText = $"Fabrikam {part} {i} wants reach among runners; fabrikam {part} {i} has a new shoe for spring.";
            var plan = TestData.Plans(TestData.Request(brief))[0];
            plan = plan with { Rationale = $"{brief.Brand} needs reach first. {plan.Rationale}" };
            return PromptRenderer.Example(brief, SeedReferenceData.Markets.Single(m => m.Code == "US"), plan).ToJsonLine();
        }),
    ];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_uploaded_files_carry_placeholders_only_when_anonymisation_is_on_and_the_upload_events_say_which(bool anonymise)
    {
        await Host.Settings.SaveAnonymiseOutboundAsync(anonymise, Admin);
        var (training, validation) = (Lines("train", 12), Lines("valid", 3));
        var sink = new RecordingSink();

        await Host.Backend().AdvanceAsync(NewJob(), _ => Task.FromResult(new FineTuneDataset(training, validation)), sink, Ct);

        var files = Server.Files.OrderBy(f => f.Filename).ToList();
        Assert.Equal(2, files.Count);
        Assert.Equal((12, 3), (files[0].Lines, files[1].Lines));
        var uploads = sink.Events.Where(e => e.ExternalId!.StartsWith("openai-upload-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, uploads.Count);
        if (anonymise)
        {
            Assert.All(files, f => Assert.DoesNotContain("fabrikam", f.Content, StringComparison.OrdinalIgnoreCase));
            Assert.All(files[0].Content.Split('\n', StringSplitOptions.RemoveEmptyEntries), line =>
            {
                var messages = ChatExample.Parse(line).Messages;
                Assert.StartsWith("Brand: [BRAND-1]\n", messages[1].Content);
                Assert.EndsWith("[BRAND-1] wants reach among runners; [BRAND-1] has a new shoe for spring.", messages[1].Content);
                Assert.StartsWith("[BRAND-1] needs reach first.", PlanJson.Deserialize(messages[2].Content!).Rationale);
            });
            Assert.All(uploads, e => Assert.EndsWith("; client names replaced by placeholders).", e.Message));
        }
        else
        {
            Assert.Equal(Encoding.UTF8.GetBytes(string.Join('\n', training) + "\n"), files[0].Bytes);
            Assert.All(uploads, e => Assert.EndsWith("; client names as written).", e.Message));
        }
    }
}
