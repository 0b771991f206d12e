using Microsoft.Extensions.Options;

namespace MultiRaft.GrainStorage;

/// <summary>Checks a provider's settings when it is added, naming every bad one.</summary>
public sealed class MultiRaftGrainStorageOptionsValidator : IValidateOptions<MultiRaftGrainStorageOptions>
{
    /// <summary>Validates <paramref name="options"/> for the provider named <paramref name="name"/>.</summary>
    public ValidateOptionsResult Validate(string? name, MultiRaftGrainStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add("the provider's name must not be empty");
        }
        else if (GrainStateKey.MinimumMaxKeyBytes(name) is var least && options.MaxKeyBytes < least)
        {
            errors.Add($"MaxKeyBytes must be at least {least} for a provider named '{name}' (room for its name and a hash); got {options.MaxKeyBytes}");
        }

        if (options.MaxStateBytes < 1)
        {
            errors.Add($"MaxStateBytes must be positive; got {options.MaxStateBytes}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
