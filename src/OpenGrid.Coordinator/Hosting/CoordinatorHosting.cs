using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Api;
using OpenGrid.Coordinator.Auth;
using OpenGrid.Coordinator.Content;
using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Scheduling;
using OpenGrid.Core.Market;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Hosting;

/// <summary>Wires the coordinator: options, persistence, content store, auth, gateway, scheduler, endpoints.</summary>
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

        services.AddSingleton<IJobStore>(sp =>
        {
            var dir = sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value.DataDir;
            Directory.CreateDirectory(dir);
            return SqliteJobStore.ForFile(Path.Combine(dir, "coordinator.db"));
        });
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
        services.AddSingleton<JobLifecycle>();
        services.AddSingleton<ProviderGateway>();
        services.AddSingleton(new Matcher());
        services.AddSingleton<OrderBook>();
        services.AddSingleton<SchedulerWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<SchedulerWorker>());
        services.AddHostedService<LeaseMonitor>();
        services.AddHostedService<StoreInitializer>();
        return builder;
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
        app.MapOpenGridDashboard();
        return app;
    }

    private static void TryAddSingleton<T>(this IServiceCollection services, T instance) where T : class
    {
        if (services.All(d => d.ServiceType != typeof(T)))
            services.AddSingleton(instance);
    }

    /// <summary>Creates the schema before the server accepts requests.</summary>
    private sealed class StoreInitializer(IJobStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class CoordinatorOptionsValidator : IValidateOptions<CoordinatorOptions>
    {
        public ValidateOptionsResult Validate(string? name, CoordinatorOptions options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
