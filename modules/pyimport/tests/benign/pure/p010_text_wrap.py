import textwrap
import string

paragraph = (
    "The quick brown fox jumps over the lazy dog. " * 4
).strip()

print(textwrap.fill(paragraph, width=40))
print()
print(textwrap.indent(textwrap.fill(paragraph, width=30), prefix="> "))
print()
print(textwrap.shorten(paragraph, width=50, placeholder=" [...]"))

letters = set(c for c in paragraph.lower() if c in string.ascii_lowercase)
print("pangram:", letters == set(string.ascii_lowercase))
template = string.Template("$animal jumped over the $target")
print(template.substitute(animal="fox", target="dog"))
