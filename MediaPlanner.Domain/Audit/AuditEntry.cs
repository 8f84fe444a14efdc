namespace MediaPlanner.Domain.Audit;

/// <summary>
/// One state-changing action: who, when, what, and a short before/after. Append-only: the context refuses to change or
/// delete a saved entry, and the database refuses UPDATE and DELETE on the table.
/// </summary>
public class AuditEntry
{
    public const int SummaryMax = 500;
    public const int DetailMax = 4000;

    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string UserId { get; set; }
    /// <summary>Copied at the time of the action, so the entry still reads right after the user is renamed or deleted.</summary>
    public string? UserEmail { get; set; }
    public required string Action { get; set; }
    public required string EntityType { get; set; }
    public string? EntityId { get; set; }
    public required string Summary { get; set; }
    /// <summary>A short JSON or text summary of the state before; never a secret.</summary>
    public string? Before { get; set; }
    public string? After { get; set; }
}

/// <summary>The audited actions, named once; the audit page filters by these.</summary>
public static class AuditActions
{
    public const string ExampleValidate = "example.validate";
    public const string ExampleReject = "example.reject";
    public const string ExampleEdit = "example.edit";
    public const string TrainingImport = "training.import";
    public const string TrainingExport = "training.export";
    /// <summary>An admin deleted what an interrupted or failed import had stored.</summary>
    public const string TrainingImportDiscard = "training.import.discard";
    public const string FineTuneStart = "finetune.start";
    public const string FineTuneCancel = "finetune.cancel";
    /// <summary>An admin entered the Azure deployment a fine-tuned model is served under.</summary>
    public const string FineTuneDeployment = "finetune.deployment";
    public const string ModelDeploy = "model.deploy";
    public const string ModelRollback = "model.rollback";
    /// <summary>The app ended a deployment because the provider shut its model down.</summary>
    public const string ModelShutdown = "model.shutdown";
    public const string ModelAlertDismiss = "model.alert.dismiss";
    public const string SettingsSelection = "settings.selection";
    public const string SettingsProvider = "settings.provider";
    public const string SettingsPrice = "settings.price";
    public const string SettingsPriceDelete = "settings.price.delete";
    /// <summary>An admin turned anonymisation of data leaving the app on or off.</summary>
    public const string SettingsPrivacy = "settings.privacy";
    public const string UserCreate = "user.create";
    public const string UserRoles = "user.roles";
    public const string UserLock = "user.lock";
    public const string UserUnlock = "user.unlock";
    public const string UserPassword = "user.password";
    public const string UserDelete = "user.delete";
    /// <summary>A planner saved an edit of a plan as a new version.</summary>
    public const string PlanEdit = "plan.edit";
    /// <summary>A planner took back "Use this plan" before a reviewer acted on it.</summary>
    public const string PlanChoiceUndo = "plan.choice.undo";

    public static readonly IReadOnlyList<string> All =
    [
        ExampleValidate, ExampleReject, ExampleEdit, TrainingImport, TrainingExport, FineTuneStart, FineTuneCancel,
        ModelDeploy, ModelRollback, ModelShutdown, ModelAlertDismiss, SettingsSelection, SettingsProvider, SettingsPrice, SettingsPriceDelete,
        UserCreate, UserRoles, UserLock, UserUnlock, UserPassword, UserDelete,
        FineTuneDeployment, SettingsPrivacy, TrainingImportDiscard,
        PlanEdit, PlanChoiceUndo,
    ];
}

/// <summary>The kinds of thing an entry is about.</summary>
public static class AuditEntities
{
    public const string TrainingExample = nameof(TrainingExample);
    public const string TrainingData = nameof(TrainingData);
    public const string FineTuneJob = nameof(FineTuneJob);
    public const string Model = nameof(Model);
    public const string Setting = nameof(Setting);
    public const string ModelPrice = nameof(ModelPrice);
    public const string User = nameof(User);
    public const string Plan = nameof(Plan);

    public static readonly IReadOnlyList<string> All = [TrainingExample, TrainingData, FineTuneJob, Model, Setting, ModelPrice, User, Plan];
}
