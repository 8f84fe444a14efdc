using System.Text;
using MediaPlanner.Domain.FineTuning;
using MediaPlanner.Domain.Identity;
using MediaPlanner.Domain.Providers;
using MediaPlanner.Tests.Fakes;
using static MediaPlanner.Tests.FineTuning.OpenAIFineTuneBackendTests;

namespace MediaPlanner.Tests.FineTuning;

/// <summary>
/// One backend, three kinds of provider profile, against the fake server: the create body each kind takes, the training
/// file each accepts, how each authenticates, and a provider that no longer trains.
/// </summary>
public sealed class HostedProviderKindsTests(FakeOpenAIServer server) : HostedProviderTests(server, TimeSpan.FromSeconds(30))
{
    private const string BaseModel = "gpt-4o-mini-2024-07-18";
    private const string OpenWeightModel = "meta-llama/Llama-3.1-8B-Instruct";
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    [Fact]
    public async Task An_azure_profile_sends_its_training_type_with_the_api_key_header_under_openai_v1_and_files_with_a_bom()
    {
        await Host.AddAsync("azure-east", "Azure East", ProviderKind.AzureOpenAI, [new(BaseModel, "mini-deployment")], AzureTrainingType.GlobalStandard);
        var job = NewJob(j => j.Provider = "azure-east");

        await RunToEndAsync(Host.Backend(), job);

        Assert.Equal((FineTuneStatus.Succeeded, null), (job.Status, job.ErrorMessage));
        var body = Assert.Single(Server.CreateBodies);
        Assert.Equal("GlobalStandard", body["trainingType"]!.GetValue<string>());
        Assert.Equal("supervised", body["method"]!["type"]!.GetValue<string>());
        Assert.Equal(2, body["method"]!["supervised"]!["hyperparameters"]!["n_epochs"]!.GetValue<int>());
        Assert.Null(body["hyperparameters"]);
        Assert.Equal("media-plans", body["suffix"]!.GetValue<string>());
        // Azure wants UTF-8 with a byte-order mark: the export's bytes, plus exactly the mark.
        var files = Server.Files.OrderBy(f => f.Filename).ToList();
        Assert.Equal([.. Bom, .. Export(Lines("train", 12))], files[0].Bytes);
        Assert.Equal([.. Bom, .. Export(Lines("valid", 3))], files[1].Bytes);
        Assert.Equal(12, files[0].Lines);
        AssertAzureShaped(Server.Requests);
    }

    [Fact]
    public async Task A_compatible_profile_sends_its_own_hyperparameter_names_at_the_top_and_no_method()
    {
        Server.AllowFineTuning(OpenWeightModel);
        var mapping = new HyperparameterMapping(LearningRate: "learning_rate", LearningRateScale: 0.0001, ExtraJson: """{"lora": true, "lora_r": 16}""");
        await Host.AddAsync("nebius", "Nebius", ProviderKind.OpenAICompatible, [new(OpenWeightModel)], mapping: mapping);
        var job = NewJob(j => { j.Provider = "nebius"; j.BaseModel = OpenWeightModel; j.Epochs = 3; j.BatchSize = null; j.LearningRateMultiplier = 2; });

        await RunToEndAsync(Host.Backend(), job);

        Assert.Equal((FineTuneStatus.Succeeded, null), (job.Status, job.ErrorMessage));
        var body = Assert.Single(Server.CreateBodies);
        Assert.Null(body["method"]);
        Assert.Null(body["trainingType"]);
        Assert.Equal(OpenWeightModel, body["model"]!.GetValue<string>());
        var hyper = body["hyperparameters"]!.AsObject();
        // Open values are left to the service rather than sent as "auto", which it may not know.
        Assert.Equal(["lora", "lora_r", "n_epochs", "learning_rate"], hyper.Select(p => p.Key));
        Assert.True(hyper["lora"]!.GetValue<bool>());
        Assert.Equal(16, hyper["lora_r"]!.GetValue<int>());
        Assert.Equal(3, hyper["n_epochs"]!.GetValue<int>());
        Assert.Equal(0.0002, hyper["learning_rate"]!.GetValue<double>(), 12);
        Assert.Equal(42, body["seed"]!.GetValue<int>());
        Assert.Equal(Export(Lines("train", 12)), Server.Files.Single(f => f.Filename.EndsWith("-train.jsonl", StringComparison.Ordinal)).Bytes);
        Assert.All(Server.Requests, r =>
        {
            Assert.StartsWith("/v1/", r.Path);
            Assert.Equal("(redacted)", r.Headers["authorization"]);
        });
        Assert.StartsWith($"ft:{OpenWeightModel}", job.FineTunedModel);
    }

    [Fact]
    public async Task OpenAI_refusing_training_fails_the_job_with_training_not_available_and_records_it_on_the_profile()
    {
        Server.Inject(FakeRoute.CreateJob, FakeOpenAIServer.TrainingNotAvailable);
        var job = NewJob();

        var next = await Host.Backend().AdvanceAsync(job, Dataset(), new RecordingSink(), Ct);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Failed, job.Status);
        Assert.Equal("training_not_available", job.ErrorCode);
        Assert.StartsWith("OpenAI no longer accepts fine-tuning jobs for this organisation", job.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("Azure OpenAI or OpenAI-compatible provider", job.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("local planner", job.ErrorMessage, StringComparison.Ordinal);
        var state = Host.Profiles.Get(FineTuneProviders.OpenAI)!.State;
        Assert.Equal(job.ErrorMessage, state.TrainingUnavailableMessage);
        Assert.NotNull(state.TrainingUnavailableAt);
        Assert.Empty(Server.Jobs);
    }

    [Fact]
    public async Task An_azure_resource_refusing_training_is_named_in_the_message_and_only_its_profile_is_marked()
    {
        await Host.AddAsync("azure-east", "Azure East", ProviderKind.AzureOpenAI, [new(BaseModel, "mini-deployment")]);
        Server.Inject(FakeRoute.CreateJob, FakeOpenAIServer.TrainingNotAvailable);
        var job = NewJob(j => j.Provider = "azure-east");

        await Host.Backend().AdvanceAsync(job, Dataset(), new RecordingSink(), Ct);

        Assert.Equal("training_not_available", job.ErrorCode);
        Assert.StartsWith("Azure East no longer accepts fine-tuning jobs for this resource", job.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(job.ErrorMessage, Host.Profiles.Get("azure-east")!.State.TrainingUnavailableMessage);
        Assert.Null(Host.Profiles.Get(FineTuneProviders.OpenAI)!.State.TrainingUnavailableMessage);
    }

    [Fact]
    public async Task A_training_file_over_the_providers_limit_fails_before_anything_is_uploaded_saying_its_size_and_the_limit()
    {
        const long limit = 4 * 1024;
        var backend = Host.Backend(kind => TrainingFileRules.For(kind) with { MaxFileBytes = limit });
        var job = NewJob();
        var size = Export(Lines("train", 40)).LongLength;
        Assert.True(size > limit);

        var next = await backend.AdvanceAsync(job, Dataset(training: 40), new RecordingSink(), Ct);

        Assert.Null(next);
        Assert.Equal(FineTuneStatus.Failed, job.Status);
        Assert.Equal("file_too_large", job.ErrorCode);
        Assert.Equal("training_file", job.ErrorParam);
        Assert.Contains($"The training file would be {TrainingFileRules.Size(size)}, over OpenAI's limit of 4 KB per file", job.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task An_azure_suffix_with_a_dot_is_refused_at_the_suffix_field_and_before_anything_is_sent()
    {
        await Host.AddAsync("azure-east", "Azure East", ProviderKind.AzureOpenAI, [new(BaseModel, "mini-deployment")]);
        var backend = Host.Backend();
        var service = Host.Service(backend);
        var admin = new CurrentUser("admin-1", IsAdmin: true);

        var azure = await service.CreateAsync(new NewJobRequest("azure-east", Suffix: "spring.2027"), admin);
        var openai = await service.CreateAsync(new NewJobRequest(FineTuneProviders.OpenAI, Suffix: new string('s', 65)), admin);
        var job = NewJob(j => { j.Provider = "azure-east"; j.Suffix = "spring.2027"; });
        await backend.AdvanceAsync(job, Dataset(), new RecordingSink(), Ct);

        Assert.Contains("no dots", azure.Errors["Suffix"], StringComparison.Ordinal);
        Assert.Contains("at most 64 characters; this one has 65", openai.Errors["Suffix"], StringComparison.Ordinal);
        Assert.Equal(("invalid_suffix", "suffix"), (job.ErrorCode, job.ErrorParam));
        Assert.Contains("no dots", job.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Theory]
    [InlineData(ProviderKind.OpenAI, "spring-2027_v2", null)]
    [InlineData(ProviderKind.OpenAI, "", null)]
    [InlineData(ProviderKind.OpenAI, "has space", "letters, digits, dashes or underscores")]
    [InlineData(ProviderKind.AzureOpenAI, "spring-2027_v2", null)]
    [InlineData(ProviderKind.AzureOpenAI, "v1.2", "no dots")]
    [InlineData(ProviderKind.OpenAICompatible, "v1.2", "letters, digits, dashes or underscores")]
    public void Suffixes_are_checked_with_the_rules_of_the_providers_kind(ProviderKind kind, string suffix, string? problem)
    {
        var message = TrainingFileRules.For(kind).ValidateSuffix(suffix);

        if (problem is null)
            Assert.Null(message);
        else
            Assert.Contains(problem, message, StringComparison.Ordinal);
        Assert.Contains("at most 64", TrainingFileRules.For(kind).ValidateSuffix(new string('a', 65)), StringComparison.Ordinal);
    }

    [Fact]
    public void Only_azure_files_carry_a_byte_order_mark_and_every_kind_keeps_the_exports_lines_with_non_ascii_text()
    {
        List<string> lines = ["{\"messages\":[{\"role\":\"user\",\"content\":\"Köln, 50 000 €\"}]}", "{\"messages\":[]}"];

        Assert.Equal(Export(lines), TrainingFileRules.For(ProviderKind.OpenAI).Encode(lines));
        Assert.Equal(Export(lines), TrainingFileRules.For(ProviderKind.OpenAICompatible).Encode(lines));
        Assert.Equal([.. Bom, .. Export(lines)], TrainingFileRules.For(ProviderKind.AzureOpenAI).Encode(lines));
        Assert.Equal("512 MB", TrainingFileRules.Size(TrainingFileRules.For(ProviderKind.AzureOpenAI).MaxFileBytes));
        Assert.Null(TrainingFileRules.For(ProviderKind.AzureOpenAI).ValidateSize(TrainingFileRules.DefaultMaxFileBytes, "training"));
        Assert.Equal("The training file would be 513 MB, over Azure OpenAI's limit of 512 MB per file: train on fewer or shorter examples.",
            TrainingFileRules.For(ProviderKind.AzureOpenAI).ValidateSize(513L * 1024 * 1024, "training"));
    }

    /// <summary>What the training-data export writes for these lines.</summary>
    private static byte[] Export(IReadOnlyList<string> lines) => Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");

    private async Task RunToEndAsync(IFineTuneBackend backend, FineTuneJob job)
    {
        var sink = new RecordingSink();
        for (var round = 0; round < 40; round++)
            if (await backend.AdvanceAsync(job, Dataset(), sink, Ct) is null)
                return;
        Assert.Fail($"The job did not finish in 40 rounds; it is {job.Status}.");
    }
}
