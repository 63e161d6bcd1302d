"""The tags of each product, many-to-many, read in a comprehension."""
import django_env  # noqa: F401

from shop.models import Product


def main():
    rows = [(p.name, sorted(t.name for t in p.tags.all())) for p in Product.objects.all().order_by("id")]
    for name, tags in rows:
        print(name, ", ".join(tags))


if __name__ == "__main__":
    main()
