"""Each product's category and department: the category is joined, its parent is not."""
import django_env  # noqa: F401

from shop.models import Product


def main():
    products = Product.objects.select_related("category").order_by("id")
    for product in products:
        parent = product.category.parent
        print(product.name, product.category.name, parent.name if parent else "-")


if __name__ == "__main__":
    main()
