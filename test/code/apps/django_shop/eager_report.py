"""The correct forms: relations loaded by the queryset, columns read without a join, rows that are not models."""
import django_env  # noqa: F401
from django.db.models import Prefetch

from shop.models import Customer, Order, OrderItem, Product


def main():
    for product in Product.objects.select_related("category__parent").order_by("id"):
        parent = product.category.parent
        print(product.name, product.category.name, parent.name if parent else "-", product.category_id, product.price)
    orders = Order.objects.select_related("customer__profile").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.select_related("product")), "customer__order_set"
    )
    for order in orders.order_by("number"):
        names = [item.product.name for item in order.items.all()]
        print(order.number, order.customer.name, order.customer.profile.email, len(order.customer.order_set.all()), names)
    for order in Order.objects.prefetch_related(Prefetch("items", to_attr="item_list")).order_by("number"):
        print(order.number, order.customer_id, len(order.item_list))
    for product in Product.objects.prefetch_related("tags").order_by("id"):
        print(product.name, [tag.name for tag in product.tags.all()], product.tags.count())
    for row in Product.objects.values("name", "category__name").order_by("id"):
        print(row["name"], row["category__name"])
    for name, category in Product.objects.values_list("name", "category__name").order_by("id"):
        print(name, category)
    for customer in Customer.objects.select_related("profile").order_by("id"):
        print(customer.name, customer.profile.email)


if __name__ == "__main__":
    main()
