using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Api;
using OpenGrid.Coordinator.Auth;
using OpenGrid.Coordinator.Content;
using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Scheduling;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Coordinator.Verification;
using OpenGrid.Chain;
using OpenGrid.Core.Market;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Hosting;

/// <summary>Wires the coordinator: options, persistence, content store, auth, gateway, scheduler, settlement, endpoints.</summary>
public static class CoordinatorHosting
{
    public static WebApplicationBuilder AddOpenGridCoordinator(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CoordinatorOptions>()
            .BindConfiguration(CoordinatorOptions.SectionName)
            .Validate(o => !o.Validate().Any(), "invalid Coordinator settings")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CoordinatorOptions>, CoordinatorOptionsValidator>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, OpenGridJsonContext.Default));
        services.AddProblemDetails();
        services.AddOpenApi();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<IJobStore>(sp => new SqliteJobStore(Database(sp)));
        services.AddSingleton<ISettlementStore>(sp => new SqliteSettlementStore(Database(sp)));
        services.AddSingleton<ITrustStore>(sp => new SqliteTrustStore(Database(sp)));
        services.AddSingleton<IReceiptStore>(sp => new SqliteReceiptStore(Database(sp)));
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value;
            return new FileBlockstore(new ContentStoreOptions { Root = Path.Combine(o.DataDir, "content"), MaxObjectBytes = o.MaxContentBytes });
        });
        services.AddSingleton(sp => new TokenService(
            TokenService.LoadOrCreateKey(sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value.DataDir),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<CoordinatorOptions>>()));
        services.AddSingleton<ChallengeStore>();
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();

        services.AddSingleton<ConnectedProviders>();
        services.AddSingleton<JobSignals>();
        services.AddSingleton<TrustLedger>();
        services.AddSingleton<ReceiptLedger>();
        services.AddSingleton<ProofPacks>();
        services.AddSingleton<ResultComparer>();
        services.AddSingleton<ReplicaGroups>();
        services.AddSingleton<CanaryCatalogue>();
        services.AddSingleton<CanaryAccounts>();
        services.AddSingleton<Canaries>();
        services.AddSingleton<JobLifecycle>();
        services.AddSingleton<ProviderGateway>();
        services.AddSingleton(new Matcher());
        services.AddSingleton<OrderBook>();
        services.AddSingleton<SchedulerWorker>();
        // Hosted services start in registration order: the schema first, then the workers that read it.
        services.AddHostedService<StoreInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<SchedulerWorker>());
        services.AddHostedService<LeaseMonitor>();
        AddSettlement(services);
        return builder;
    }

    /// <summary>
    /// Settlement on an EVM chain: off (every part a no-op) unless <c>Coordinator:Chain:RpcUrl</c> is set, in which
    /// case the rest of <c>Coordinator:Chain</c> is validated at start. The worker starts after the schema exists.
    /// </summary>
    private static void AddSettlement(IServiceCollection services)
    {
        services.AddOptions<ChainOptions>().BindConfiguration(SettlementChain.ConfigurationSection).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChainOptions>, ChainOptionsValidator>();
        services.AddOptions<SettlementOptions>()
            .BindConfiguration(SettlementOptions.SectionName)
            .Validate(o => !o.Validate().Any(), "invalid Coordinator:Settlement settings")
            .ValidateOnStart();
        services.AddSingleton(sp => new SettlementChain(
            SettlementChain.IsConfigured(sp.GetRequiredService<IConfiguration>()), sp.GetRequiredService<IOptions<ChainOptions>>().Value));
        services.AddSingleton<SettlementSignal>();
        services.AddSingleton<BondBook>();
        services.AddHostedService<BondWatcher>();
        services.AddSingleton<ReputationPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<ReputationPublisher>());
        services.AddSingleton<SettlementLedger>();
        services.AddSingleton<IntentRunner>();
        services.AddHostedService<SettlementWorker>();
        services.AddSingleton<StreamMeter>();
        services.AddHostedService(sp => sp.GetRequiredService<StreamMeter>());
    }

    // The one database file every store shares, with the commit durability Coordinator:StoreSync asks for (ADR 0010).
    private static SqliteDatabase Database(IServiceProvider sp) =>
        SqliteDatabase.ForFile(DatabasePath(sp), sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value.StoreSync == StoreSync.Full);

    private static string DatabasePath(IServiceProvider sp)
    {
        var dir = sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value.DataDir;
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, "coordinator.db");
    }

    public static WebApplication MapOpenGridEndpoints(this WebApplication app)
    {
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        app.MapGet("/v1/info", (IOptions<CoordinatorOptions> o) =>
            new InfoView(typeof(CoordinatorHosting).Assembly.GetName().Version?.ToString() ?? "0", o.Value.MaxContentBytes, "v1"))
            .WithTags("info");
        app.MapAuthEndpoints();
        app.MapJobsEndpoints();
        app.MapContentEndpoints();
        app.MapProvidersEndpoints();
        app.MapMarketEndpoints();
        app.MapChainEndpoints();
        app.MapOpenGridDashboard();
        return app;
    }

    private static void TryAddSingleton<T>(this IServiceCollection services, T instance) where T : class
    {
        if (services.All(d => d.ServiceType != typeof(T)))
            services.AddSingleton(instance);
    }

    /// <summary>Creates the schema before the server accepts requests.</summary>
    private sealed class StoreInitializer(IJobStore store, ISettlementStore settlement, ITrustStore trust, IReceiptStore receipts) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await store.InitializeAsync(cancellationToken);
            await settlement.InitializeAsync(cancellationToken);
            await trust.InitializeAsync(cancellationToken);
            await receipts.InitializeAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Checks <c>Coordinator:Chain</c> only when settlement is on; every message names the setting and the fix.</summary>
    private sealed class ChainOptionsValidator(IConfiguration configuration) : IValidateOptions<ChainOptions>
    {
        public ValidateOptionsResult Validate(string? name, ChainOptions options)
        {
            if (!SettlementChain.IsConfigured(configuration))
                return ValidateOptionsResult.Success;
            var errors = options.Validate().Select(e => "Coordinator:" + e).ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }

    /// <summary>Checks <c>Coordinator:*</c>, and with settlement on what payments add (the canary accounts' keys).</summary>
    private sealed class CoordinatorOptionsValidator(IConfiguration configuration) : IValidateOptions<CoordinatorOptions>
    {
        public ValidateOptionsResult Validate(string? name, CoordinatorOptions options)
        {
            var errors = options.Validate().ToList();
            if (SettlementChain.IsConfigured(configuration))
                errors.AddRange(options.Trust.ValidateWithPayments());
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
