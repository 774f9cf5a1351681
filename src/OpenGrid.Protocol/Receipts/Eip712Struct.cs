using System.Buffers.Binary;
using System.Text;
using Nethereum.Util;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// EIP-712 <c>hashStruct</c>: <c>keccak256(typeHash ‖ encodeData)</c>, each member one 32-byte word. Strings and
/// arrays are replaced by their keccak256 as the standard says; integers are big-endian, signed ones two's complement
/// sign-extended to 256 bits; addresses are left-padded with zeros.
/// </summary>
internal sealed class Eip712Struct
{
    private const int Word = 32;
    private readonly List<byte[]> _words = [];

    /// <param name="typeString">The encoded type, e.g. <c>Input(string path,string cid)</c> (referenced types appended).</param>
    public Eip712Struct(string typeString) => _words.Add(Keccak(Encoding.UTF8.GetBytes(typeString)));

    public static byte[] Keccak(ReadOnlySpan<byte> data) => Sha3Keccack.Current.CalculateHash(data.ToArray());

    public static byte[] TypeHash(string typeString) => Keccak(Encoding.UTF8.GetBytes(typeString));

    /// <summary>The encoding of an array value: keccak256 of its members' words (hashStruct or string hash) concatenated.</summary>
    public static byte[] ArrayHash(IEnumerable<byte[]> memberWords) => Keccak(memberWords.SelectMany(w => w).ToArray());

    /// <summary>The encoding of a <c>string[]</c> value.</summary>
    public static byte[] StringArrayHash(IEnumerable<string> values) => ArrayHash(values.Select(v => Keccak(Encoding.UTF8.GetBytes(v))));

    public Eip712Struct String(string value) => Add(Keccak(Encoding.UTF8.GetBytes(value)));

    public Eip712Struct Bytes32(Bytes32 value) => Add(value.ToArray());

    /// <summary>A member whose value is already a 32-byte word (a nested hashStruct or an array hash).</summary>
    public Eip712Struct Hash(byte[] word) => Add(word.Length == Word ? word : throw new ArgumentException("A word is 32 bytes.", nameof(word)));

    public Eip712Struct Uint(ulong value)
    {
        var word = new byte[Word];
        BinaryPrimitives.WriteUInt64BigEndian(word.AsSpan(Word - 8), value);
        return Add(word);
    }

    public Eip712Struct Int(long value)
    {
        var word = new byte[Word];
        if (value < 0)
            word.AsSpan(0, Word - 8).Fill(0xff);
        BinaryPrimitives.WriteInt64BigEndian(word.AsSpan(Word - 8), value);
        return Add(word);
    }

    public Eip712Struct Address(Address value)
    {
        var word = new byte[Word];
        if (value.Value is { } hex) // default(Address) is the zero address
            Convert.FromHexString(hex.AsSpan(2)).CopyTo(word, Word - 20);
        return Add(word);
    }

    /// <summary>keccak256(typeHash ‖ members).</summary>
    public byte[] HashStruct() => ArrayHash(_words);

    private Eip712Struct Add(byte[] word)
    {
        _words.Add(word);
        return this;
    }
}
