"""Each product with its category: one more query per product for product.category."""
import django_env  # noqa: F401

from shop.models import Product


def main():
    for product in Product.objects.order_by("id"):
        print(product.name, product.category.name)


if __name__ == "__main__":
    main()
