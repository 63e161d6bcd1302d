"""Creates the shop's tables (dropping old ones) and fills them."""
import django_env  # noqa: F401
from django.apps import apps
from django.db import connection

from shop.models import Category, Customer, Order, OrderItem, Product, Profile, Tag


def main():
    shop = list(apps.get_app_config("shop").get_models())
    with connection.schema_editor() as editor:
        for model in reversed(shop):
            editor.execute(f"DROP TABLE IF EXISTS {editor.quote_name(model._meta.db_table)} CASCADE")
            for field in model._meta.local_many_to_many:
                editor.execute(f"DROP TABLE IF EXISTS {editor.quote_name(field.remote_field.through._meta.db_table)} CASCADE")
        for model in shop:
            editor.create_model(model)
    roots = [Category.objects.create(name=f"department {i}") for i in range(2)]
    categories = roots + [Category.objects.create(name=f"category {i}", parent=roots[i % 2]) for i in range(3)]
    tags = Tag.objects.bulk_create([Tag(name=f"tag {i}") for i in range(4)])
    products = Product.objects.bulk_create(
        [Product(name=f"product {i}", price=i + 1, category=categories[i % len(categories)]) for i in range(30)]
    )
    for i, product in enumerate(products):
        product.tags.set([tags[i % 4], tags[(i + 1) % 4]])
    customers = Customer.objects.bulk_create([Customer(name=f"customer {i}") for i in range(3)])
    Profile.objects.bulk_create([Profile(customer=c, email=f"{c.name.replace(' ', '')}@example.com") for c in customers])
    orders = Order.objects.bulk_create([Order(customer=customers[i % 3], number=i) for i in range(20)])
    OrderItem.objects.bulk_create(
        [OrderItem(order=o, product=products[(i + k) % 30], quantity=k + 1) for i, o in enumerate(orders) for k in range(2)]
    )


if __name__ == "__main__":
    main()
